import type { IValidationReport } from '../types';
import type { IValidationsClient } from '../../rest';

/** The latest stored validation of a notebook, with its cells, if there is one. */
export async function latestValidation(
  client: IValidationsClient,
  notebookId: string
): Promise<IValidationReport | null> {
  const { validations } = await client.list({
    notebook_id: notebookId,
    limit: 1
  });
  return validations.length ? client.get(validations[0].runId) : null;
}
