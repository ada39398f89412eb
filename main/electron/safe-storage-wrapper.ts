// Wraps cache keys with Electron's safeStorage (the OS keychain: Keychain, DPAPI, libsecret).

import { safeStorage } from 'electron';
import type { KeyWrapper } from '../cache/keys.js';

export class SafeStorageKeyWrapper implements KeyWrapper {
  readonly kind = 'safeStorage';

  constructor() {
    if (!safeStorage.isEncryptionAvailable()) {
      throw new Error('The OS key store is not available, so the local cache cannot be protected. Sign in to the OS keyring and restart.');
    }
  }

  wrap(key: Buffer): Buffer {
    return safeStorage.encryptString(key.toString('base64'));
  }

  unwrap(blob: Buffer): Buffer {
    return Buffer.from(safeStorage.decryptString(blob), 'base64');
  }
}
