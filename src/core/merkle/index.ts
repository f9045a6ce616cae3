// RFC 6962 / RFC 9162 §2.1 Merkle trees: hashing, tree roots, compact ranges and inclusion proofs.
export * from './hash';
export * from './tree';
export * from './compact-range';
export * from './proof';
