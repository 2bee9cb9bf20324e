/** The work queue: tasks a person completes or fails, by a signal to the task's own workflow. */
import { and, asc, eq, inArray, type SQL } from 'drizzle-orm';
import { tasks } from '../../db/schema';
import { completeSignal, failSignal, workflowId } from '../../workflows/contracts';
import type { Principal, Role } from '../../domain/roles';
import { actingRole } from '../auth/access';
import type { AppDeps } from '../deps';
import { invalidState, notFound } from '../errors';
import type { CompleteTaskBody, FailTaskBody, ListTasksQuery } from '../schemas/tasks';

/** Tasks a person completes or fails, and the role each needs; `api` tasks are the engine's own. */
type HumanKind = 'manual' | 'field' | 'project';
const workerRole: Record<HumanKind, Role> = {
  manual: 'backOffice',
  field: 'fieldTechnician',
  project: 'projectManager',
};
/** Roles that see the whole work queue; the others see only their own kind of task (OWASP API1). */
const overseers: Role[] = ['viewer', 'admin', 'orderManager', 'falloutAgent'];

/** A project task runs as its own `project:<taskId>` workflow; manual and field tasks as `task:<taskId>`. */
const workflowIdOf = (task: { id: string; kind: string }) =>
  task.kind === 'project' ? workflowId.project(task.id) : workflowId.task(task.id);

export async function listTasks({ database: { db } }: AppDeps, query: ListTasksQuery, principal: Principal) {
  const where: SQL[] = [];
  if (!overseers.some((r) => principal.roles.includes(r))) {
    const own = (Object.keys(workerRole) as HumanKind[]).filter((kind) =>
      principal.roles.includes(workerRole[kind]),
    );
    where.push(inArray(tasks.kind, own));
  }
  if (query.orderId) where.push(eq(tasks.orderId, query.orderId));
  if (query.state) where.push(eq(tasks.state, query.state));
  if (query.kind) where.push(eq(tasks.kind, query.kind));
  return {
    tasks: await db
      .select()
      .from(tasks)
      .where(and(...where))
      .orderBy(asc(tasks.id))
      .limit(query.limit),
  };
}

/** Signal `complete` to a running manual, field or project task. */
export async function completeTask(
  deps: AppDeps,
  taskId: string,
  completion: CompleteTaskBody & { by: string },
  principal: Principal,
) {
  const task = await awaitingPerson(deps, taskId, principal);
  await deps.temporal.workflow.getHandle(workflowIdOf(task)).signal(completeSignal, completion);
  return { taskId: task.id, state: task.state, signal: 'complete' as const };
}

/** Signal `fail` to a running manual, field or project task. */
export async function failTask(
  deps: AppDeps,
  taskId: string,
  failure: FailTaskBody & { by: string },
  principal: Principal,
) {
  const task = await awaitingPerson(deps, taskId, principal);
  await deps.temporal.workflow.getHandle(workflowIdOf(task)).signal(failSignal, failure);
  return { taskId: task.id, state: task.state, signal: 'fail' as const };
}

async function awaitingPerson({ database: { db } }: AppDeps, taskId: string, principal: Principal) {
  const task = await db.query.tasks.findFirst({ where: eq(tasks.id, taskId) });
  if (!task) throw notFound('Task', taskId);
  if (!(task.kind in workerRole))
    throw invalidState(
      `Task ${taskId} is an ${task.kind} task, run by the engine; it cannot be completed or failed by hand`,
    );
  actingRole(principal, [workerRole[task.kind as HumanKind]], `A ${task.kind} task`);
  if (task.state !== 'running')
    throw invalidState(`Task ${taskId} is ${task.state}; only a running task can be completed or failed`);
  return task;
}
