// Merkle trees over a checkpoint segment's event hashes (decision 0027): the signed root lets one
// event be proven part of the signed chain with a few sibling hashes, without handing over the
// other events of the segment (other clients' data). Leaves and nodes are domain-separated (RFC
// 6962: 0x00 before a leaf, 0x01 before a node), so that a node can never pass for an event. A
// level with an odd count carries its last node up unchanged.

import { createHash } from 'node:crypto';

function leaf(hashHex: string): Buffer {
  return createHash('sha256').update(Buffer.from([0])).update(Buffer.from(hashHex, 'hex')).digest();
}

function node(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(Buffer.from([1])).update(left).update(right).digest();
}

/** Every level of the tree, leaves first, root last. */
export function merkleLevels(eventHashes: readonly string[]): Buffer[][] {
  if (eventHashes.length === 0) throw new Error('a Merkle tree needs at least one event');
  const levels: Buffer[][] = [eventHashes.map(leaf)];
  while (levels.at(-1)!.length > 1) {
    const below = levels.at(-1)!;
    const up: Buffer[] = [];
    for (let i = 0; i < below.length; i += 2) up.push(i + 1 < below.length ? node(below[i]!, below[i + 1]!) : below[i]!);
    levels.push(up);
  }
  return levels;
}

export function merkleRoot(eventHashes: readonly string[]): string {
  return merkleLevels(eventHashes).at(-1)![0]!.toString('hex');
}

/** The sibling hashes from the leaf at `index` up to the root (none where a node is carried up). */
export function merkleProof(levels: readonly Buffer[][], index: number): string[] {
  const proof: string[] = [];
  let i = index;
  for (const level of levels.slice(0, -1)) {
    const sibling = i % 2 === 1 ? i - 1 : i + 1;
    if (sibling < level.length) proof.push(level[sibling]!.toString('hex'));
    i = Math.floor(i / 2);
  }
  return proof;
}

/**
 * Whether the event hash at `index` of a segment of `size` events folds with `proof` to `root`.
 * The position is bound: the same hash and siblings at another index fold to another root.
 */
export function verifyMerkleProof(eventHash: string, index: number, size: number, proof: readonly string[], root: string): boolean {
  if (!Number.isInteger(index) || index < 0 || index >= size) return false;
  let acc = leaf(eventHash);
  let i = index;
  let width = size;
  let used = 0;
  while (width > 1) {
    if (i % 2 === 1) {
      const s = proof[used++];
      if (s === undefined) return false;
      acc = node(Buffer.from(s, 'hex'), acc);
    } else if (i + 1 < width) {
      const s = proof[used++];
      if (s === undefined) return false;
      acc = node(acc, Buffer.from(s, 'hex'));
    }
    i = Math.floor(i / 2);
    width = Math.ceil(width / 2);
  }
  return used === proof.length && acc.toString('hex') === root;
}
