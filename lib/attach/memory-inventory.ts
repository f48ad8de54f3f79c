import type { AttachmentRecord, AttachmentType, Inventory, InventorySnapshot, LockResult, ResourceRecord, StreamRecord } from '../store/inventory';

/**
 * The inventory in memory, with the DynamoDB inventory's semantics (locks, stale detection,
 * set-based stream membership, one-time outcome claims). `sagewatch plan` converges against an
 * empty one, or one seeded with what is attached; unit tests use it for speed. The contract
 * tests run the same cases against both.
 */
interface Meta {
  resource?: ResourceRecord;
  observedAt?: number;
  lockOwner?: string;
  lockUntil?: number;
  expiresAt?: number;
}

const clone = <T>(value: T): T => structuredClone(value);

export class MemoryInventory implements Inventory {
  private readonly metas = new Map<string, Meta>();
  private readonly attachments = new Map<string, Map<string, AttachmentRecord>>();
  private readonly outcomes = new Map<string, { outcome: string; at: string }>();
  private readonly streams = new Map<string, StreamRecord>();

  async read(key: string): Promise<InventorySnapshot> {
    const meta = this.metas.get(key);
    const attachments = [...(this.attachments.get(key)?.values() ?? [])].map(clone).sort((a, b) => `${a.type}#${a.id}`.localeCompare(`${b.type}#${b.id}`));
    const outcome = this.outcomes.get(key)?.outcome;
    return {
      attachments,
      ...(meta?.resource ? { resource: clone(meta.resource) } : {}),
      ...(meta?.observedAt !== undefined ? { observedAt: meta.observedAt } : {}),
      ...(outcome !== undefined ? { outcome } : {}),
    };
  }

  async lock(key: string, owner: string, observedAt: number, untilMs: number, nowMs: number): Promise<LockResult> {
    const meta = this.metas.get(key) ?? {};
    if (meta.observedAt !== undefined && meta.observedAt > observedAt) return 'stale';
    if (meta.lockUntil !== undefined && meta.lockUntil >= nowMs && meta.lockOwner !== owner) return 'busy';
    this.metas.set(key, { ...meta, lockOwner: owner, lockUntil: untilMs });
    return 'acquired';
  }

  async unlock(key: string, owner: string): Promise<void> {
    const meta = this.metas.get(key);
    if (!meta || meta.lockOwner !== owner) return;
    delete meta.lockOwner;
    delete meta.lockUntil;
  }

  async putResource(record: ResourceRecord, options: { expiresAt?: number } = {}): Promise<void> {
    const meta = this.metas.get(record.key) ?? {};
    const next: Meta = { ...meta, resource: clone(record), observedAt: record.observedAt };
    if (options.expiresAt !== undefined) next.expiresAt = options.expiresAt;
    else delete next.expiresAt;
    this.metas.set(record.key, next);
  }

  async putAttachment(key: string, record: AttachmentRecord): Promise<void> {
    const byId = this.attachments.get(key) ?? new Map<string, AttachmentRecord>();
    byId.set(`${record.type}#${record.id}`, clone(record));
    this.attachments.set(key, byId);
  }

  async deleteAttachment(key: string, type: AttachmentType, id: string): Promise<void> {
    this.attachments.get(key)?.delete(`${type}#${id}`);
  }

  async addStreamMember(name: string, kind: string, member: string): Promise<StreamRecord> {
    const stream = this.streams.get(name) ?? { name, kind, members: [] };
    const members = new Set(stream.members).add(member);
    const next = { ...stream, kind, members: [...members].sort() };
    this.streams.set(name, next);
    return clone(next);
  }

  async removeStreamMember(name: string, member: string): Promise<StreamRecord> {
    const stream = this.streams.get(name);
    if (!stream) return { name, kind: '', members: [] };
    const next = { ...stream, members: stream.members.filter((m) => m !== member) };
    this.streams.set(name, next);
    return clone(next);
  }

  async markStreamCreated(name: string, fingerprint: string): Promise<void> {
    const stream = this.streams.get(name);
    if (stream) this.streams.set(name, { ...stream, fingerprint });
  }

  async claimStreamDeletion(name: string): Promise<boolean> {
    const stream = this.streams.get(name);
    if (!stream || stream.members.length > 0) return false;
    this.streams.delete(name);
    return true;
  }

  async setStreamFingerprint(name: string, kind: string, fingerprint: string): Promise<void> {
    const stream = this.streams.get(name) ?? { name, kind, members: [] };
    this.streams.set(name, { ...stream, kind, fingerprint });
  }

  async readStreams(names: string[]): Promise<StreamRecord[]> {
    return [...new Set(names)].flatMap((name) => (this.streams.has(name) ? [clone(this.streams.get(name)!)] : [])).sort((a, b) => a.name.localeCompare(b.name));
  }

  async listStreams(): Promise<StreamRecord[]> {
    return [...this.streams.values()].map(clone).sort((a, b) => a.name.localeCompare(b.name));
  }

  async claimOutcome(key: string, outcome: string, at: string, expiresAt?: number): Promise<boolean> {
    void expiresAt;
    if (this.outcomes.has(key)) return false;
    this.outcomes.set(key, { outcome, at });
    return true;
  }

  async releaseOutcome(key: string): Promise<void> {
    this.outcomes.delete(key);
  }

  async listResources(cursor?: string): Promise<{ resources: ResourceRecord[]; cursor?: string }> {
    void cursor;
    const resources = [...this.metas.values()].flatMap((meta) => (meta.resource ? [clone(meta.resource)] : []));
    return { resources: resources.sort((a, b) => a.key.localeCompare(b.key)) };
  }

  /** For tests and the plan: the expiry a detached resource's tombstone got. */
  expiresAtOf(key: string): number | undefined {
    return this.metas.get(key)?.expiresAt;
  }
}
