export { type DoctorCheck, runDoctorChecks } from './commands/doctor.js';
export { type ListedSandbox, listSandboxes } from './commands/ls.js';
