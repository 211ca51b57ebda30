// Layouts that survive reboots (docs/persist.md): the restorer's data, the boot-time restorer
// program, the systemd units and udev rules, and the remote install/verify/remove programs.
export * from './access';
export * from './artifacts';
export * from './daxctl-input';
export { RESTORER_VERSION, restorerProgram, unsafeSpecValue } from './restorer';
export { sha256 } from './sha256';
export * from './spec';
