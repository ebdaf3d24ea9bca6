// The fixed palette a project's colour is chosen from. Names are stored (projects.color),
// the swatch colours live in CSS (.swatch-<name> in app.css of the projects page), so a
// theme can adjust them. Each has at least 3:1 contrast against both themes' surfaces
// (WCAG 1.4.11, non-text contrast), and every swatch is always shown with its name.
export const PROJECT_COLORS = [
  { name: 'slate', label: 'Slate' },
  { name: 'red', label: 'Red' },
  { name: 'orange', label: 'Orange' },
  { name: 'amber', label: 'Amber' },
  { name: 'green', label: 'Green' },
  { name: 'teal', label: 'Teal' },
  { name: 'blue', label: 'Blue' },
  { name: 'indigo', label: 'Indigo' },
  { name: 'violet', label: 'Violet' },
  { name: 'pink', label: 'Pink' },
] as const;

export type ProjectColor = (typeof PROJECT_COLORS)[number]['name'];

export const PROJECT_COLOR_NAMES: readonly string[] = PROJECT_COLORS.map((c) => c.name);

/** A colour stored by another client (a #rrggbb from the API) falls back to slate for the swatch. */
export function swatchColor(color: string): ProjectColor {
  return (PROJECT_COLOR_NAMES.includes(color) ? color : 'slate') as ProjectColor;
}

export function colorLabel(color: string): string {
  return PROJECT_COLORS.find((c) => c.name === color)?.label ?? color;
}
