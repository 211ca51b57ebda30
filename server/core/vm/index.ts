export { renderVmAttach, vmAttach, type VmAttach } from './parcel';
