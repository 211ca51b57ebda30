export { ACCESS_NAME_RE, ACCESS_RULES_PATH, accessNameProblem, deviceAccess, parsePermissions, renderAccessRules, renderVmAttach, vmAttach, type AccessRule, type VmAttach } from './parcel';
