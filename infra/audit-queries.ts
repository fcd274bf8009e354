/**
 * The audit trail as saved CloudWatch Logs Insights queries (`AWS::Logs::QueryDefinition`) on the function's
 * log group. Every request already writes one line with who (`userId`), where (`orgId`), what (`actionId`)
 * and what came of it (`outcome`, and for errors `status` and `errorId`): functions/http/zitadel-response.ts.
 * The query texts are exported so the README and the tests show exactly what is deployed.
 */
import { QueryDefinition, QueryString } from 'aws-cdk-lib/aws-logs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** "Who deactivated which action, when": newest first. */
export const DEACTIVATIONS_QUERY = new QueryString({
  fields: ['@timestamp', 'userId', 'orgId', 'actionId', 'function_request_id'],
  filterStatements: ['outcome = "deactivated"'],
  sort: '@timestamp desc',
  limit: 1000,
});

/** "Refusals by error id and caller": how often, and when last, each caller met each error. */
export const REFUSALS_QUERY = new QueryString({
  filterStatements: ['outcome in ["rejected", "failed"]'],
  statsStatements: ['count(*) as refusals, max(@timestamp) as last by errorId, status, userId, orgId'],
  sort: 'refusals desc',
  limit: 1000,
});

export interface AuditQueriesProps {
  readonly logGroup: ILogGroup;
  /** Folder of the saved queries in the console (`<prefix>/…`). */
  readonly namePrefix: string;
}

export class AuditQueries extends Construct {
  readonly deactivations: QueryDefinition;
  readonly refusals: QueryDefinition;

  constructor(scope: Construct, id: string, props: AuditQueriesProps) {
    super(scope, id);
    this.deactivations = new QueryDefinition(this, 'Deactivations', {
      queryDefinitionName: `${props.namePrefix}/Who deactivated which action, when`,
      queryString: DEACTIVATIONS_QUERY,
      logGroups: [props.logGroup],
    });
    this.refusals = new QueryDefinition(this, 'Refusals', {
      queryDefinitionName: `${props.namePrefix}/Refusals by error id and caller`,
      queryString: REFUSALS_QUERY,
      logGroups: [props.logGroup],
    });
  }
}
