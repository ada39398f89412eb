import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { merkleLevels, merkleProof, merkleRoot, verifyMerkleProof } from './merkle.js';

const hashes = (n: number) => Array.from({ length: n }, (_, i) => createHash('sha256').update(`event ${i}`).digest('hex'));

describe('Merkle proofs over a segment of event hashes', () => {
  it('proves every event of segments of every size from 1 to 40, and only at its own position', () => {
    for (let n = 1; n <= 40; n += 1) {
      const leaves = hashes(n);
      const levels = merkleLevels(leaves);
      const root = merkleRoot(leaves);
      for (let i = 0; i < n; i += 1) {
        const proof = merkleProof(levels, i);
        expect(verifyMerkleProof(leaves[i]!, i, n, proof, root), `event ${i} of ${n}`).toBe(true);
        if (n > 1) expect(verifyMerkleProof(leaves[i]!, (i + 1) % n, n, proof, root), `event ${i} of ${n} at the wrong place`).toBe(false);
        if (n > 1) expect(verifyMerkleProof(leaves[(i + 1) % n]!, i, n, proof, root), `another event at ${i} of ${n}`).toBe(false);
      }
    }
  });

  it('changes the root when any event, the order or the count changes; a node never passes for an event', () => {
    const leaves = hashes(7);
    const root = merkleRoot(leaves);
    expect(merkleRoot([...leaves.slice(0, 3), hashes(8)[7]!, ...leaves.slice(4)])).not.toBe(root);
    expect(merkleRoot([leaves[1]!, leaves[0]!, ...leaves.slice(2)])).not.toBe(root);
    expect(merkleRoot(leaves.slice(0, 6))).not.toBe(root);
    // The two children of the first node, hashed as one leaf, do not give the root of a shorter list.
    const levels = merkleLevels(leaves);
    expect(verifyMerkleProof(levels[1]![0]!.toString('hex'), 0, 4, merkleProof(levels, 0).slice(1), root)).toBe(false);
    expect(() => merkleRoot([])).toThrow('at least one event');
  });
});
