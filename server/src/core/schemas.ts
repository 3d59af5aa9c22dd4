import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import errorSchema from '../../../schema/api/error.json';
import experimentListSchema from '../../../schema/api/experiment-list.json';
import experimentSharesSchema from '../../../schema/api/experiment-shares.json';
import experimentSearchSchema from '../../../schema/api/experiment-search.json';
import experimentSearchResultSchema from '../../../schema/api/experiment-search-result.json';
import experimentValuesRequestSchema from '../../../schema/api/experiment-values-request.json';
import experimentValuesSchema from '../../../schema/api/experiment-values.json';
import experimentRunSchema from '../../../schema/api/experiment-run.json';
import experimentMetricHistorySchema from '../../../schema/api/experiment-metric-history.json';
import experimentCandidateSchema from '../../../schema/api/experiment-candidate.json';
import eventSchema from '../../../schema/api/event.json';
import imageSchema from '../../../schema/api/image.json';
import imageBuildSchema from '../../../schema/api/image-build.json';
import imageBuildLogSchema from '../../../schema/api/image-build-log.json';
import imageBuildRequestSchema from '../../../schema/api/image-build-request.json';
import imageDefaultSchema from '../../../schema/api/image-default.json';
import imagePushSchema from '../../../schema/api/image-push.json';
import imageTagSchema from '../../../schema/api/image-tag.json';
import modelSchema from '../../../schema/api/model.json';
import modelListSchema from '../../../schema/api/model-list.json';
import modelSharesSchema from '../../../schema/api/model-shares.json';
import profileSchema from '../../../schema/api/profile.json';
import runListSchema from '../../../schema/api/run-list.json';
import notebookDiffSchema from '../../../schema/api/notebook-diff.json';
import notebookParamsSchema from '../../../schema/api/notebook-params.json';
import pipelineSchema from '../../../schema/api/pipeline.json';
import runSchema from '../../../schema/api/run.json';
import runSubmitSchema from '../../../schema/api/run-submit.json';
import serverConfigSchema from '../../../schema/api/server-config.json';
import budgetAlertsSchema from '../../../schema/api/budget-alerts.json';
import budgetsSchema from '../../../schema/api/budgets.json';
import resourcesSchema from '../../../schema/api/resources.json';
import usageSchema from '../../../schema/api/usage.json';
import statusSchema from '../../../schema/api/status.json';
import tokenSchema from '../../../schema/api/token.json';
import tokenCreateSchema from '../../../schema/api/token-create.json';
import tokenCreatedSchema from '../../../schema/api/token-created.json';
// git (issue #7)
import gitBranchRequestSchema from '../../../schema/api/git-branch-request.json';
import gitBranchesSchema from '../../../schema/api/git-branches.json';
import gitCheckoutRequestSchema from '../../../schema/api/git-checkout-request.json';
import gitCommitRequestSchema from '../../../schema/api/git-commit-request.json';
import gitCommitResultSchema from '../../../schema/api/git-commit-result.json';
import gitDiffSchema from '../../../schema/api/git-diff.json';
import gitInitRequestSchema from '../../../schema/api/git-init-request.json';
import gitLogSchema from '../../../schema/api/git-log.json';
import gitMergeRequestSchema from '../../../schema/api/git-merge-request.json';
import gitMergeResultSchema from '../../../schema/api/git-merge-result.json';
import gitPathsRequestSchema from '../../../schema/api/git-paths-request.json';
import gitRemoteOpRequestSchema from '../../../schema/api/git-remote-op-request.json';
import gitRemoteOpResultSchema from '../../../schema/api/git-remote-op-result.json';
import gitRemoteRequestSchema from '../../../schema/api/git-remote-request.json';
import gitRemoteSchema from '../../../schema/api/git-remote.json';
import gitRemotesSchema from '../../../schema/api/git-remotes.json';
import gitRepoSchema from '../../../schema/api/git-repo.json';
import gitRestoreRequestSchema from '../../../schema/api/git-restore-request.json';
import gitRestoreResultSchema from '../../../schema/api/git-restore-result.json';
import gitSettingsRequestSchema from '../../../schema/api/git-settings-request.json';
import gitShowSchema from '../../../schema/api/git-show.json';
import gitStatusSchema from '../../../schema/api/git-status.json';
// Components and pipeline templates (issue #9).
import componentSchema from '../../../schema/api/component.json';
import componentEntrySchema from '../../../schema/api/component-entry.json';
import componentListSchema from '../../../schema/api/component-list.json';
import componentPublishSchema from '../../../schema/api/component-publish.json';
import pipelineTemplateSchema from '../../../schema/api/pipeline-template.json';
import pipelineTemplateListSchema from '../../../schema/api/pipeline-template-list.json';
import pipelineTemplateInstantiateSchema from '../../../schema/api/pipeline-template-instantiate.json';
import pipelineValidationSchema from '../../../schema/api/pipeline-validation.json';
import componentSharesSchema from '../../../schema/api/component-shares.json';
import workspaceSchema from '../../../schema/api/workspace.json';
import workspaceCreateSchema from '../../../schema/api/workspace-create.json';
import workspaceListSchema from '../../../schema/api/workspace-list.json';
// Datasets (issue #6)
import datasetSchema from '../../../schema/api/dataset.json';
import datasetListSchema from '../../../schema/api/dataset-list.json';
import datasetVersionSchema from '../../../schema/api/dataset-version.json';
import datasetAddSchema from '../../../schema/api/dataset-add.json';
import datasetAddEventSchema from '../../../schema/api/dataset-add-event.json';
import datasetFilesSchema from '../../../schema/api/dataset-files.json';
import datasetDiffSchema from '../../../schema/api/dataset-diff.json';
import datasetTagSchema from '../../../schema/api/dataset-tag.json';
import datasetSharesSchema from '../../../schema/api/dataset-shares.json';
import datasetFromRunSchema from '../../../schema/api/dataset-from-run.json';
import datasetBlindedSchema from '../../../schema/api/dataset-blinded.json';
import datasetApprovalDecisionSchema from '../../../schema/api/dataset-approval-decision.json';
// shares (issue #8)
import shareCreateSchema from '../../../schema/api/share-create.json';
import shareTargetSchema from '../../../schema/api/share-target.json';
import shareLinkSchema from '../../../schema/api/share-link.json';
import shareCreatedSchema from '../../../schema/api/share-created.json';
import shareListSchema from '../../../schema/api/share-list.json';
import shareRedeemSchema from '../../../schema/api/share-redeem.json';
import shareRedeemedSchema from '../../../schema/api/share-redeemed.json';

/**
 * Every JSON Schema of schema/api, imported as JSON so esbuild inlines them into the bundle.
 * A new payload is a new file in schema/api and one line here.
 */
export const API_SCHEMAS: Record<string, JsonSchema> = {
  'error.json': errorSchema,
  'experiment-list.json': experimentListSchema,
  'experiment-shares.json': experimentSharesSchema,
  'experiment-search.json': experimentSearchSchema,
  'experiment-search-result.json': experimentSearchResultSchema,
  'experiment-values-request.json': experimentValuesRequestSchema,
  'experiment-values.json': experimentValuesSchema,
  'experiment-run.json': experimentRunSchema,
  'experiment-metric-history.json': experimentMetricHistorySchema,
  'experiment-candidate.json': experimentCandidateSchema,
  'event.json': eventSchema,
  'image.json': imageSchema,
  'image-build.json': imageBuildSchema,
  'image-build-log.json': imageBuildLogSchema,
  'image-build-request.json': imageBuildRequestSchema,
  'image-default.json': imageDefaultSchema,
  'image-push.json': imagePushSchema,
  'image-tag.json': imageTagSchema,
  'model.json': modelSchema,
  'model-list.json': modelListSchema,
  'model-shares.json': modelSharesSchema,
  'profile.json': profileSchema,
  'run-list.json': runListSchema,
  'notebook-diff.json': notebookDiffSchema,
  'notebook-params.json': notebookParamsSchema,
  'pipeline.json': pipelineSchema,
  'run.json': runSchema,
  'run-submit.json': runSubmitSchema,
  'server-config.json': serverConfigSchema,
  'budget-alerts.json': budgetAlertsSchema,
  'budgets.json': budgetsSchema,
  'resources.json': resourcesSchema,
  'usage.json': usageSchema,
  'status.json': statusSchema,
  'token.json': tokenSchema,
  'token-create.json': tokenCreateSchema,
  'token-created.json': tokenCreatedSchema,
  'git-branch-request.json': gitBranchRequestSchema,
  'git-branches.json': gitBranchesSchema,
  'git-checkout-request.json': gitCheckoutRequestSchema,
  'git-commit-request.json': gitCommitRequestSchema,
  'git-commit-result.json': gitCommitResultSchema,
  'git-diff.json': gitDiffSchema,
  'git-init-request.json': gitInitRequestSchema,
  'git-log.json': gitLogSchema,
  'git-merge-request.json': gitMergeRequestSchema,
  'git-merge-result.json': gitMergeResultSchema,
  'git-paths-request.json': gitPathsRequestSchema,
  'git-remote-op-request.json': gitRemoteOpRequestSchema,
  'git-remote-op-result.json': gitRemoteOpResultSchema,
  'git-remote-request.json': gitRemoteRequestSchema,
  'git-remote.json': gitRemoteSchema,
  'git-remotes.json': gitRemotesSchema,
  'git-repo.json': gitRepoSchema,
  'git-restore-request.json': gitRestoreRequestSchema,
  'git-restore-result.json': gitRestoreResultSchema,
  'git-settings-request.json': gitSettingsRequestSchema,
  'git-show.json': gitShowSchema,
  'git-status.json': gitStatusSchema,
  'component.json': componentSchema,
  'component-entry.json': componentEntrySchema,
  'component-list.json': componentListSchema,
  'component-publish.json': componentPublishSchema,
  'pipeline-template.json': pipelineTemplateSchema,
  'pipeline-template-list.json': pipelineTemplateListSchema,
  'pipeline-template-instantiate.json': pipelineTemplateInstantiateSchema,
  'pipeline-validation.json': pipelineValidationSchema,
  'component-shares.json': componentSharesSchema,
  'workspace.json': workspaceSchema,
  'workspace-create.json': workspaceCreateSchema,
  'workspace-list.json': workspaceListSchema,
  'dataset.json': datasetSchema,
  'dataset-list.json': datasetListSchema,
  'dataset-version.json': datasetVersionSchema,
  'dataset-add.json': datasetAddSchema,
  'dataset-add-event.json': datasetAddEventSchema,
  'dataset-files.json': datasetFilesSchema,
  'dataset-diff.json': datasetDiffSchema,
  'dataset-tag.json': datasetTagSchema,
  'dataset-shares.json': datasetSharesSchema,
  'dataset-from-run.json': datasetFromRunSchema,
  'dataset-blinded.json': datasetBlindedSchema,
  'dataset-approval-decision.json': datasetApprovalDecisionSchema,
  'share-create.json': shareCreateSchema,
  'share-target.json': shareTargetSchema,
  'share-link.json': shareLinkSchema,
  'share-created.json': shareCreatedSchema,
  'share-list.json': shareListSchema,
  'share-redeem.json': shareRedeemSchema,
  'share-redeemed.json': shareRedeemedSchema
};

export type SchemaName = keyof typeof API_SCHEMAS & string;

export interface JsonSchema {
  $id?: string;
  title?: string;
  [key: string]: unknown;
}

let ajv: Ajv | undefined;

function getAjv(): Ajv {
  if (!ajv) {
    ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    for (const schema of Object.values(API_SCHEMAS)) {
      ajv.addSchema(schema);
    }
  }
  return ajv;
}

/** The compiled validator of one schema file, e.g. `validatorFor('status.json')`. */
export function validatorFor(name: string): ValidateFunction {
  const schema = API_SCHEMAS[name];
  if (!schema?.$id) {
    throw new Error(`unknown schema ${name}`);
  }
  const validate = getAjv().getSchema(schema.$id);
  if (!validate) {
    throw new Error(`schema ${name} did not compile`);
  }
  return validate;
}

export interface FieldError {
  path: string;
  message: string;
}

/** Turns ajv errors into short `{ path, message }` pairs a client can show. */
export function describeErrors(errors: ErrorObject[] | null | undefined): FieldError[] {
  return (errors ?? []).map(e => {
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      return { path: `${e.instancePath}/${extra}`, message: 'is not allowed' };
    }
    return { path: e.instancePath || '/', message: e.message ?? 'is invalid' };
  });
}
