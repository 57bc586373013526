// Upload one file straight to S3 under the chosen flow's prefix with temporary credentials:
// a single PUT below PART_SIZE, otherwise a multipart upload (parts in parallel, each
// retried with backoff; a part that keeps failing aborts the upload so no orphan parts
// are left to bill). Then read what landing decided.
//
// The page holds no key layout of its own: the session API answers with each allowed
// flow's prefix (<partner>/<flow>/) and the partner's status prefix (_status/<partner>/);
// the key is <flow prefix><file> and its status record <status prefix><flow>/<file>.json
// (silolake.policy.dropzone, docs/partners.md).
import { encodeKey, presignS3, signS3 } from "./sigv4.js";

export const PART_SIZE = 5 * 1024 * 1024; // S3's minimum part size (all but the last part)
const PARALLEL = 3;
const ATTEMPTS = 4;

function request(method, url, headers, body, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    if (onProgress) xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? resolve(xhr)
        : reject(new Error(`S3 answered HTTP ${xhr.status}: ${xhr.responseText.slice(0, 200)}`));
    xhr.onerror = () => reject(new Error("network error"));
    xhr.send(body ?? null);
  });
}

async function s3(session, config, method, key, query, body, onProgress) {
  const base = `${config.bucketUrl.replace(/\/$/, "")}/${encodeKey(key)}`;
  const { headers, search } = await signS3(method, base, query, session.credentials, session.region);
  return request(method, search ? `${base}?${search}` : base, headers, body, onProgress);
}

function xmlValue(xhr, tag) {
  const doc = new DOMParser().parseFromString(xhr.responseText, "application/xml");
  return doc.getElementsByTagName(tag)[0]?.textContent ?? "";
}

export function safeName(name) {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^[._]+/, "");
  return cleaned || "upload";
}

async function withRetry(what, fn, log) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= ATTEMPTS) throw error;
      log(`${what} failed (${error.message}); retry ${attempt} of ${ATTEMPTS - 1}`);
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
  }
}

// The key a file of `flow` (one of session.flows) is written to.
export function objectKey(flow, file) {
  return flow.prefix + safeName(file.name);
}

// Where landing records its decision about `key`.
export function statusKey(session, key) {
  if (!key.startsWith(session.prefix)) throw new Error(`${key} is not under ${session.prefix}`);
  return `${session.status_prefix}${key.slice(session.prefix.length)}.json`;
}

// A GET of the dropzone through a presigned URL: no preflight (see presignS3), and the
// same temporary credentials, so the same session policy decides.
async function presignedGet(session, config, path, query) {
  const base = config.bucketUrl.replace(/\/$/, "");
  const url = await presignS3(`${base}/${path}`, query, session.credentials, session.region);
  const response = await fetch(url, { cache: "no-store", credentials: "omit" });
  if (!response.ok) throw new Error(`S3 answered HTTP ${response.status}`);
  return response.text();
}

// The status record of `key` ({status: "landed"|"quarantined", reason, ...}), or null while
// landing has not decided yet. It lists the record's exact key first (ListObjectsV2 answers
// 200 with or without it; the session may list its status prefix), so a record not yet
// written is never an error response, then reads it.
export async function readStatus(session, config, key) {
  const wanted = statusKey(session, key);
  const listing = await presignedGet(session, config, "", { "list-type": "2", prefix: wanted });
  const doc = new DOMParser().parseFromString(listing, "application/xml");
  if (doc.getElementsByTagName("Key")[0]?.textContent !== wanted) return null;
  return JSON.parse(await presignedGet(session, config, encodeKey(wanted), {}));
}

// Poll readStatus every `every` ms until landing decided or `timeout` ms passed (then null).
export async function waitForStatus(session, config, key, { every = 2000, timeout = 300000 } = {}) {
  const until = Date.now() + timeout;
  for (;;) {
    const record = await readStatus(session, config, key);
    if (record || Date.now() >= until) return record;
    await new Promise((r) => setTimeout(r, every));
  }
}

// onProgress(bytesDone, total); log(message). Resolves to the object key.
export async function uploadFile(file, flow, session, config, { onProgress = () => {}, log = () => {} } = {}) {
  const key = objectKey(flow, file);
  if (file.size < PART_SIZE) {
    await withRetry("upload", () => s3(session, config, "PUT", key, {}, file, (n) => onProgress(n, file.size)), log);
    onProgress(file.size, file.size);
    return key;
  }
  const created = await withRetry("start", () => s3(session, config, "POST", key, { uploads: "" }, null), log);
  const uploadId = xmlValue(created, "UploadId");
  const count = Math.ceil(file.size / PART_SIZE);
  const done = new Array(count).fill(0);
  const etags = new Array(count);
  const report = () => onProgress(done.reduce((a, b) => a + b, 0), file.size);
  let next = 0;
  async function worker() {
    while (next < count) {
      const index = next++;
      const blob = file.slice(index * PART_SIZE, Math.min(file.size, (index + 1) * PART_SIZE));
      const xhr = await withRetry(
        `part ${index + 1}`,
        () => {
          done[index] = 0;
          return s3(session, config, "PUT", key, { partNumber: index + 1, uploadId }, blob, (n) => {
            done[index] = n;
            report();
          });
        },
        log,
      );
      done[index] = blob.size;
      etags[index] = xhr.getResponseHeader("ETag");
      if (!etags[index]) throw new Error("S3 sent no ETag (is it exposed by the bucket's CORS rule?)");
      report();
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(PARALLEL, count) }, worker));
    const parts = etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`);
    const body = `<CompleteMultipartUpload>${parts.join("")}</CompleteMultipartUpload>`;
    await withRetry("completion", () => s3(session, config, "POST", key, { uploadId }, body), log);
  } catch (error) {
    await s3(session, config, "DELETE", key, { uploadId }, null).catch(() => {});
    throw error;
  }
  log(`${count} parts uploaded`);
  return key;
}
