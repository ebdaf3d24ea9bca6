// App-wide UI state shared by the shell (layout, header, shortcuts) and the task views:
// the layout's "Add task" button and the `q` shortcut open quick add; `?` opens the
// shortcut help. One reactive object, no store boilerplate.
export const ui = $state({
  quickAddOpen: false,
  shortcutsHelpOpen: false,
});
