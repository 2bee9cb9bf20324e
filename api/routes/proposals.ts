import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps';
import { errorResponses } from '../schemas/common';
import { proposalHtml, proposalParams, proposalPdf } from '../schemas/quotes';
import { proposalDocument, proposalPage } from '../services/proposal';
import { access } from '../auth/role-groups';

/** The proposal document of a quote version: the PDF the customer signs, and the same as an HTML page. */
export const proposalRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/quotes/:id/versions/:version/proposal.pdf',
      {
        config: { access: access.readSales() },
        schema: {
          summary: 'The proposal PDF of a quote version, the document the customer signs',
          description: 'The `X-Document-SHA256` header (and the ETag) carry the hash acceptance records.',
          tags: ['quotes'],
          produces: ['application/pdf', 'application/json'],
          params: proposalParams,
          response: { 200: proposalPdf, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { pdf, sha256 } = await proposalDocument(deps, request.params.id, request.params.version);
        return reply
          .type('application/pdf')
          .header(
            'content-disposition',
            `inline; filename="proposal-${request.params.id}-v${request.params.version}.pdf"`,
          )
          .header('x-document-sha256', sha256)
          .header('etag', `"${sha256}"`)
          .send(pdf);
      },
    );

    app.get(
      '/quotes/:id/versions/:version/proposal.html',
      {
        config: { access: access.readSales() },
        schema: {
          summary: 'The proposal of a quote version as an HTML page',
          tags: ['quotes'],
          produces: ['text/html', 'application/json'],
          params: proposalParams,
          response: { 200: proposalHtml, ...errorResponses },
        },
      },
      async (request, reply) =>
        reply
          .type('text/html; charset=utf-8')
          .send(await proposalPage(deps, request.params.id, request.params.version)),
    );
  };
