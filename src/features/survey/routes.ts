import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { strictValidation } from '../../http/typebox-validator.js';
import type { TypedPlugin } from '../../http/typed-plugin.js';
import { QUEUE_PATTERN } from '../reports/params.js';
import { SurveyParamError, type SurveyService } from './survey-service.js';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', maxLength: 10, description: 'local day YYYY-MM-DD (TZ_NAME), inclusive' });
const Num = Type.Number();
const Rate = Type.Union([Type.Number(), Type.Null()], { description: 'a share 0..1; null over nothing' });
const Figures = {
  offered: Num,
  answered: Num,
  unanswered: Num,
  satisfied: Type.Number({ description: '满意 (key 1)' }),
  fair: Type.Number({ description: '基本满意 (key 2)' }),
  dissatisfied: Type.Number({ description: '不满意 (key 3)' }),
  responseRate: Rate,
  satisfiedRate: Type.Union([Type.Number(), Type.Null()], { description: '满意 / answered' }),
  satisfactionRate: Type.Union([Type.Number(), Type.Null()], { description: '(满意 + 基本满意) / answered: 满意率' }),
};
const Total = Type.Object(Figures);
const Row = Type.Object({
  key: Type.String({ description: 'the agent id, queue or local day' }),
  name: Type.Union([Type.String(), Type.Null()], { description: "the agent's name (rows by agent)" }),
  ...Figures,
});
const Head = { from: Type.String(), to: Type.String(), tz: Type.String(), by: Type.String(), rows: Type.Array(Row), total: Total };
const Report = Type.Object(Head);
const AgentReport = Type.Object({ agentId: Type.String(), ...Head });
const Error_ = Type.Object({ error: Type.String() });
const ReportQuery = Type.Object(
  {
    from: Day,
    to: Type.Optional(Day),
    by: Type.Optional(Type.Union([Type.Literal('agent'), Type.Literal('queue'), Type.Literal('day')], { description: 'rows per (agent)' })),
    queue: Type.Optional(Type.String({ pattern: QUEUE_PATTERN, maxLength: 40, description: 'one queue; all queues when absent' })),
  },
  { additionalProperties: false },
);
const AgentQuery = Type.Object({ from: Day, to: Type.Optional(Day) }, { additionalProperties: false });
const Params = Type.Object(
  { id: Type.String({ pattern: '^[0-9]{3,6}$', maxLength: 6, description: 'the agent (SIP user name)' }) },
  { additionalProperties: false },
);

/**
 * GET /api/reports/survey: satisfaction survey figures by agent, queue or day (supervisors, reports);
 * GET /api/agents/:id/survey: one agent's own scores per day (the agent itself, or anyone who reads agents).
 */
export function surveyRoutes(d: { survey: SurveyService }): TypedPlugin {
  return async (app) => {
    strictValidation(app, 'is not an allowed parameter');
    const handle = async (reply: FastifyReply, run: () => Promise<unknown>) => {
      try {
        return await run();
      } catch (err) {
        if (err instanceof SurveyParamError) return reply.code(400).send({ error: err.message });
        throw err;
      }
    };
    const ok = (s: TSchema) => ({ 200: s, 400: Error_ });
    app.get(
      '/api/reports/survey',
      {
        schema: {
          tags: ['reports'],
          summary: 'Satisfaction survey: offered, answered, 满意/基本满意/不满意 and the rates, by agent, queue or day',
          querystring: ReportQuery,
          response: ok(Report),
        },
      },
      async (req, reply) => handle(reply, () => d.survey.report(req.query)),
    );
    app.get(
      '/api/agents/:id/survey',
      {
        schema: {
          tags: ['agents'],
          summary: "One agent's satisfaction survey scores per day",
          params: Params,
          querystring: AgentQuery,
          response: ok(AgentReport),
        },
      },
      async (req, reply) => handle(reply, () => d.survey.agent(req.params.id, req.query)),
    );
  };
}
