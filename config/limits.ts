// Logic Apps (Consumption) limits live in the shared vocabulary (domain/limits.ts); re-exported for the config.
export { LIMITS } from '../domain/limits';
