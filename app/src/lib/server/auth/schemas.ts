// What the sign-up and sign-in forms accept. Limits mirror Better Auth's options in
// lib/auth/auth.ts and the identity.users constraints, so a person learns about a problem
// from the form rather than from the database.
import { z } from 'zod';
import { isDerivedFromEmail, PASSWORD_MESSAGES } from '$server/auth/password-policy.ts';

const email = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'Enter your email address.')
  .max(320, 'Email addresses are at most 320 characters.')
  .pipe(z.email('Enter an email address like name@example.com.'));

export const signUpSchema = z
  .object({
    name: z.string().trim().min(1, 'Enter your name.').max(200, 'Names are at most 200 characters.'),
    email,
    password: z.string().min(10, 'Use at least 10 characters.').max(128, 'Passwords are at most 128 characters.'),
  })
  // The common-password list is checked by Better Auth's hook (lib/auth/password-policy-plugin.ts).
  .refine((v) => !isDerivedFromEmail(v.password, v.email), {
    path: ['password'],
    message: PASSWORD_MESSAGES.PASSWORD_FROM_EMAIL,
  });
export type SignUpInput = z.infer<typeof signUpSchema>;

export const signInSchema = z.object({
  email,
  password: z.string().min(1, 'Enter your password.').max(128, 'Passwords are at most 128 characters.'),
  // "Keep me signed in": a checkbox sends "on" when ticked and nothing otherwise. Unticked
  // means a browser-session cookie and a short server-side expiry (lib/auth/sessions.ts).
  rememberMe: z
    .string()
    .max(10)
    .optional()
    .transform((v) => v === 'on' || v === 'true'),
});
export type SignInInput = z.infer<typeof signInSchema>;
