import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { quoteVersions } from '../../db/schema';
import { approvalRoles, type ApprovalRole } from '../../domain/approval-policy';
import type { Principal } from '../../domain/roles';
import { decideUpdate, quoteStatusQuery, workflowId } from '../../workflows/contracts';
import { forbidden } from '../auth/access';
import { invalidState, notFound } from '../errors';
import { currentVersionOf } from './quotes';

export interface DecisionRequest {
  decision: 'approve' | 'reject';
  role?: ApprovalRole;
  comment?: string;
  version?: number;
}

/**
 * An approver's decision on a quote version. Who decides is the token's subject, under an approval role
 * the token holds (the awaited one unless the body names another it holds); the version's author may not
 * approve it (four-eyes). The approval workflow checks role and four-eyes again in its validator.
 */
export async function decideOnQuote(
  db: Db,
  temporal: Client,
  quoteId: string,
  request: DecisionRequest,
  principal: Principal,
) {
  const { quote } = await currentVersionOf(db, quoteId);
  const { version = quote.currentVersion, role: asked, ...decision } = request;
  if (version > quote.currentVersion) throw notFound('Quote version', `${quote.id} v${version}`);
  // A decision on an older version goes to that version's approval, whose validator refuses it.
  if (version === quote.currentVersion && quote.state !== 'pending')
    throw invalidState(`Quote ${quote.id} is ${quote.state}, not awaiting a decision`);

  const held = approvalRoles.filter((r) => principal.roles.includes(r));
  if (asked && !held.includes(asked))
    throw forbidden(`The body names the role ${asked}, which ${principal.subject}'s token does not hold`);
  const handle = temporal.workflow.getHandle(workflowId.quoteApproval(quote.id, version));
  let role = asked;
  if (!role) {
    const awaiting =
      version === quote.currentVersion
        ? await handle.query(quoteStatusQuery).then((s) => s.awaiting)
        : undefined;
    role = awaiting && held.includes(awaiting) ? awaiting : held[0];
  }
  if (version === quote.currentVersion) {
    const [made] = await db
      .select({ createdBy: quoteVersions.createdBy })
      .from(quoteVersions)
      .where(and(eq(quoteVersions.quoteId, quote.id), eq(quoteVersions.version, version)));
    if (made?.createdBy === principal.subject && decision.decision === 'approve')
      throw forbidden(
        `${principal.subject} made quote ${quote.id} v${version} and cannot also approve it (four-eyes rule)`,
        'four_eyes',
      );
    const awaited = await handle.query(quoteStatusQuery).then((s) => s.awaiting);
    if (awaited && role !== awaited && !held.includes(awaited))
      throw forbidden(
        `Quote ${quote.id} v${version} awaits the ${awaited}; ${principal.subject} holds ${held.join(', ') || 'no approval role'}`,
      );
  }
  return handle
    .executeUpdate(decideUpdate, { args: [{ ...decision, role: role!, approver: principal.subject }] })
    .catch((err: unknown) => {
      // The old version's approval has ended (or never ran): the version is superseded all the same.
      if (version < quote.currentVersion && !(err instanceof WorkflowUpdateFailedError)) {
        throw invalidState(`Quote ${quote.id} v${version} is superseded by v${quote.currentVersion}`);
      }
      throw err;
    });
}
