import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import { PgSurveyRepo } from './survey-repo.js';
export { projectSurvey as surveyProjection } from './survey-projection.js';
import { surveyRoutes } from './routes.js';
import { SurveyService } from './survey-service.js';

export interface SurveyFeature extends Feature {
  service: SurveyService;
}

/**
 * Satisfaction survey results. The survey itself is part of the call (core/call/survey.ts, run by
 * features/calls); its events fill survey_answers as they are stored (survey-projection.ts, given
 * to the events feature by the composition root).
 */
export function registerSurvey({ pool, config }: Infrastructure): SurveyFeature {
  const service = new SurveyService({ repo: new PgSurveyRepo(pool, config.TZ_NAME), tz: config.TZ_NAME });
  return { service, routes: [surveyRoutes({ survey: service })] };
}
