import { roles, type Role } from '../../domain/roles';
import { allow, type Access } from './access';

/**
 * Who reads what: `viewer` and `admin` read everything; each desk reads what its work needs. The writes
 * name their roles at the route. The README's role matrix is this file and the routes' declarations.
 */
const everyone = (): Access => allow(...roles);
const watch: Role[] = ['viewer', 'admin'];
const salesDesk: Role[] = ['sales', 'salesManager', 'financeManager'];

export const access = {
  everyone,
  readSales: () => allow(...watch, ...salesDesk, 'orderManager', 'integration'),
  readOrders: () => allow(...watch, 'orderManager', 'falloutAgent', 'backOffice', 'sales', 'integration'),
  /** The work queue: each person's kind of task (see the task service's scoping), and those who oversee it. */
  readTasks: () =>
    allow(...watch, 'orderManager', 'falloutAgent', 'backOffice', 'fieldTechnician', 'projectManager'),
  readFallouts: () => allow(...watch, 'falloutAgent', 'orderManager'),
  /** People's tasks: each kind needs its own role (checked per task). */
  workTasks: () => allow('fieldTechnician', 'backOffice', 'projectManager'),
};
