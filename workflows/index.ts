/** Every workflow the worker registers; the bundle's entry point. */
export { domainOrder } from './domain-order';
export { fallout } from './fallout';
export { hubDelivery } from './hub-delivery';
export { order } from './order';
export { project } from './project';
export { quoteApproval } from './quote-approval';
export { subOrder } from './sub-order';
export { task } from './task';
