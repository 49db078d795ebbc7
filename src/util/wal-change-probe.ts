import fs from 'node:fs';

/**
 * The WAL-index header: the first 48 bytes of a WAL database's `-shm` file
 * (https://sqlite.org/walformat.html, "The WAL-Index Header"). Every commit, by any
 * connection of any process, rewrites it and increments its change counter (`iChange`,
 * bytes 8–11), and writes this first copy last, once the commit is complete. Byte 12
 * (`isInit`) is 1 once the header holds a valid state.
 */
const HEADER_BYTES = 48;
const IS_INIT_OFFSET = 12;

/** One descriptor of a `-shm` file per process, shared by every probe of that database. */
interface SharedShm {
  fd: number | null;
  probes: number;
}

const shared = new Map<string, SharedShm>();

/**
 * Tells, with one positional read of 48 bytes and no lock, whether a SQLite database in
 * WAL mode may have changed since an earlier look: `version()` returns the same number
 * for as long as no commit has happened, and a new one after any commit.
 *
 * It never claims "unchanged" wrongly: a header it cannot read (no `-shm` yet, a short
 * read, a header not initialised) gives a new version every call, so callers fall back to
 * asking the database. It may claim "changed" without a change that matters to the
 * caller (any commit counts, a checkpoint's WAL reset too): callers then ask again.
 *
 * Only for a database this process keeps open in WAL mode for as long as the probe lives:
 * SQLite cannot leave WAL mode while another connection is open, so the header keeps
 * counting commits.
 *
 * **Close a probe only after its SQLite connection is closed, and give probes only to a
 * database whose every connection in this process has one.** POSIX record locks belong to
 * the process and the file: closing any descriptor of the `-shm` file drops every lock
 * this process holds on it, SQLite's included (https://sqlite.org/howtocorrupt.html,
 * §2.2). So the probes of one database share one descriptor, closed with the last probe,
 * that is after the last connection (the control plane: one connection per plane).
 */
export class WalChangeProbe {
  readonly #key: string;
  readonly #shm: SharedShm;
  #closed = false;
  readonly #read = Buffer.alloc(HEADER_BYTES);
  readonly #seen = Buffer.alloc(HEADER_BYTES);
  #version = 0;

  /** `databaseFile`: the database's own path (it must exist); the probe reads `<databaseFile>-shm`. */
  constructor(databaseFile: string) {
    this.#key = `${fs.realpathSync(databaseFile)}-shm`;
    let shm = shared.get(this.#key);
    if (!shm) shared.set(this.#key, (shm = { fd: null, probes: 0 }));
    shm.probes++;
    this.#shm = shm;
  }

  /** The same number as the previous call's if no commit happened in between; else a new one. */
  version(): number {
    if (this.#closed) return this.#unknown();
    const shm = this.#shm;
    if (shm.fd === null) {
      try {
        shm.fd = fs.openSync(this.#key, 'r');
      } catch {
        return this.#unknown();
      }
    }
    let bytes: number;
    try {
      bytes = fs.readSync(shm.fd, this.#read, 0, HEADER_BYTES, 0);
    } catch {
      return this.#unknown();
    }
    if (bytes !== HEADER_BYTES || this.#read[IS_INIT_OFFSET] !== 1) return this.#unknown();
    if (!this.#read.equals(this.#seen)) {
      this.#read.copy(this.#seen);
      this.#version++;
    }
    return this.#version;
  }

  /** Gives up this probe; the last one of its database closes the shared descriptor (see above). Calling it again does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const shm = this.#shm;
    if (--shm.probes > 0) return;
    shared.delete(this.#key);
    if (shm.fd !== null) fs.closeSync(shm.fd);
    shm.fd = null;
  }

  /** Nothing known: a version never returned before, and the next readable header counts as a change. */
  #unknown(): number {
    this.#seen.fill(0);
    return ++this.#version;
  }
}
