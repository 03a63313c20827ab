// etcd3 is CommonJS: imported dynamically from its own bundle chunk it would show only `default`, so the
// charm imports this ESM module lazily instead, which re-exports etcd3 with its named exports.
import * as etcd3 from "etcd3";

export { etcd3 };
