import type { z } from 'zod'

/** One line a person can act on: each failing field with what was wrong and what is valid. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : 'record'
      return `${field}: ${issue.message}`
    })
    .join('; ')
}
