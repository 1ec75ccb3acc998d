// Containers started here carry mkdev's owner label. Ryuk (testcontainers' reaper) cannot run where
// images cannot be pulled, so a test process that crashes would leak its containers; with the label,
// the next mkdev invocation (or `mkdev prune`) removes them once their owner process is gone.
import { LABEL } from '../../engine/labels.ts';
import { currentOwner, formatOwner } from '../../engine/owner.ts';

export function ownerLabels(): Record<string, string> {
  return { [LABEL.owner]: formatOwner(currentOwner()) };
}
