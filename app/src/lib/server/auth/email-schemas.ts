// What the email-flow forms accept (forgot password, reset, magic link, account settings).
// Limits mirror lib/auth/auth.ts (passwords 10..128) so a person learns about a problem
// from the form; the common-password policy is a Better Auth hook (not repeated here).
import { z } from 'zod';
import { signInSchema, signUpSchema } from './schemas.ts';

const email = signInSchema.shape.email;
const newPassword = signUpSchema.shape.password;
/** Links carry a token of a few hundred characters at most. */
export const tokenSchema = z.string().trim().min(1).max(2000);

export const emailOnlySchema = z.object({ email });

export const resetPasswordSchema = z.object({ token: tokenSchema, password: newPassword });

export const changePasswordSchema = z.object({
  currentPassword: z.string().min(1, 'Enter your current password.').max(128, 'Passwords are at most 128 characters.'),
  newPassword,
});

export const changeEmailSchema = z.object({ email });
