/**
 * The shapes a validation ("run top to bottom") produces: one result per code
 * cell, filled in live, and the report they make. The runner writes them, the
 * report panel shows them, the server stores them (kind `validation`) and
 * exports them as JSON and JUnit XML. They are the REST client's wire shapes,
 * declared with it (`rest/validationReport.ts`). Types only.
 */
export type {
  DifferenceKind,
  FailureRole,
  IOutputDifference,
  ISanitizerSpec,
  IStaticFinding,
  IValidationCell,
  IValidationError,
  IValidationReport,
  IValidationSettings,
  StaticFindingKind,
  ValidationCellStatus,
  ValidationVerdict
} from '../rest/validationReport';
