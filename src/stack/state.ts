/** The stack state file lives in platform (the control service reads it too); the stack's name for it. */
export * from '../platform/stack-state.ts'
