import { inventoryTable, stateTable, TTL_ATTRIBUTE } from '../lib/store/schema';
import type { Cfn } from './cfn';
import { MANAGED_TAGS, type StackNames } from './names';

/**
 * The control plane's tables, with the layouts the embedded store of local runs also uses.
 * Unlike the requests table they hold nothing a user would miss after `osls remove`: the
 * inventory can be rebuilt by a reconcile run and the state table is short-lived by design.
 */
export function tableResources(names: StackNames): Cfn {
  return {
    // What sagewatch attached to each SageMaker resource: what detach and the orphan sweep read.
    InventoryTable: {
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: {
        ...inventoryTable(names.tables),
        // Tombstones of detached resources carry their expiry; DynamoDB removes them.
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        SSESpecification: { SSEEnabled: true },
        // Losing it mid-incident means re-attaching everything; a point-in-time restore is cheaper.
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        Tags: MANAGED_TAGS,
      },
    },
    // Alert dedupe, detector windows and open-request lists carry their own expiry; the API budget is a few fixed items.
    StateTable: {
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: {
        ...stateTable(names.tables),
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        SSESpecification: { SSEEnabled: true },
        Tags: MANAGED_TAGS,
      },
    },
  };
}
