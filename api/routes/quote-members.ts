import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { ApiError } from '../errors';
import { errorResponses, idParams } from '../schemas/common';
import { membersBodyByMediaType, membersCsvBody, membersQuery, quoteResponse } from '../schemas/quotes';
import { uploadMembers } from '../services/member-upload';
import { actorOf, allow } from '../auth';

const missingFile = () =>
  new ApiError(400, 'validation_failed', 'The upload carries no CSV file', [
    {
      field: 'body',
      rule: 'required',
      message: 'send the CSV as text/csv, or as the one file of a multipart form',
    },
  ]);

/** The CSV of a request: its body (`text/csv`) or the one file of a multipart form. */
async function csvOf(request: FastifyRequest, body: string | null | undefined): Promise<string> {
  if (!request.isMultipart()) {
    if (!body || body.trim() === '') throw missingFile();
    return body;
  }
  try {
    const file = await request.file();
    if (!file) throw missingFile();
    return (await file.toBuffer()).toString('utf8');
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // A malformed form (no parts, a cut boundary, too large a file): the sender's fault, not ours.
    const message = `The multipart form cannot be read: ${(err as Error).message}`;
    throw new ApiError(400, 'validation_failed', message, [{ field: 'body', rule: 'multipart', message }]);
  }
}

/** Member lists by upload; the CSV and multipart parsers live in this plugin only. */
export const quoteMemberRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );
    await app.register(multipart, { limits: { files: 1, fields: 0, fileSize: 10 * 1024 * 1024 } });

    app.post(
      '/quotes/:id/members',
      {
        config: { access: allow('sales') },
        schema: {
          summary: "Upload the quote's members (CSV): the next version, or every bad row named",
          description:
            'Columns `ref,kind,name,address,group` (`group`: one group ref, or several separated by `;`). ' +
            'A file with any bad row, or that is not CSV, is refused whole (422, each row, column and rule in `details`).',
          tags: ['quotes'],
          consumes: ['text/csv', 'multipart/form-data'],
          params: idParams,
          querystring: membersQuery,
          body: membersCsvBody,
          bodyByMediaType: membersBodyByMediaType,
          response: { 200: quoteResponse, ...errorResponses },
        },
      },
      async (request) =>
        uploadMembers(
          deps,
          request.params.id,
          await csvOf(request, request.body),
          request.query,
          actorOf(request),
          request.log,
        ),
    );
  };
