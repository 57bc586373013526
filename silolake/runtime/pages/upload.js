// Upload one file straight to S3 under the partner's prefix with temporary credentials:
// a single PUT below PART_SIZE, otherwise a multipart upload (parts in parallel, each
// retried with backoff; a part that keeps failing aborts the upload so no orphan parts
// are left to bill).
import { encodeKey, signS3 } from "./sigv4.js";

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

// onProgress(bytesDone, total); log(message). Resolves to the object key.
export async function uploadFile(file, session, config, { onProgress = () => {}, log = () => {} } = {}) {
  const key = session.prefix + safeName(file.name);
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
