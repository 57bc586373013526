// AWS Signature Version 4 for S3 requests, with WebCrypto (no SDK in the page).
// The payload is sent as UNSIGNED-PAYLOAD (allowed by S3 over HTTPS), so a 5 MiB part is
// not hashed twice; everything else (method, path, query, host, date, token) is signed.
// Reference: "Signature Version 4 signing process" / "Authenticating Requests (AWS
// Signature Version 4)" in the Amazon S3 API reference.

const encoder = new TextEncoder();

function hex(buffer) {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256Hex(text) {
  return hex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

async function hmac(key, text) {
  const raw = typeof key === "string" ? encoder.encode(key) : key;
  const cryptoKey = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(text)));
}

// RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone).
export function uriEncode(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

export function encodeKey(key) {
  return key.split("/").map(uriEncode).join("/");
}

function amzDate(now) {
  return now.toISOString().replace(/[:-]|\.\d{3}/g, "");
}

// Returns the headers to send with the request (fetch/XHR add Host themselves).
export async function signS3(method, url, query, credentials, region, now = new Date()) {
  const u = new URL(url);
  const date = amzDate(now);
  const day = date.slice(0, 8);
  const headers = {
    host: u.host,
    "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    "x-amz-date": date,
  };
  if (credentials.session_token) headers["x-amz-security-token"] = credentials.session_token;
  const names = Object.keys(headers).sort();
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((k) => `${uriEncode(k)}=${uriEncode(String(query[k]))}`)
    .join("&");
  const canonical = [
    method,
    u.pathname,
    canonicalQuery,
    names.map((n) => `${n}:${String(headers[n]).trim()}\n`).join(""),
    names.join(";"),
    "UNSIGNED-PAYLOAD",
  ].join("\n");
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", date, scope, await sha256Hex(canonical)].join("\n");
  let key = await hmac("AWS4" + credentials.secret_access_key, day);
  for (const part of [region, "s3", "aws4_request"]) key = await hmac(key, part);
  const signature = hex(await hmac(key, toSign));
  const sent = { ...headers };
  delete sent.host;
  sent.Authorization =
    `AWS4-HMAC-SHA256 Credential=${credentials.access_key_id}/${scope}, ` +
    `SignedHeaders=${names.join(";")}, Signature=${signature}`;
  return { headers: sent, search: canonicalQuery };
}

// A presigned URL (query-string authentication) for a GET with `query`: the request then
// carries no Authorization or x-amz-* header, so the browser sends it as a CORS "simple
// request" without a preflight. Reference: "Authenticating Requests: Using Query Parameters
// (AWS Signature Version 4)" in the Amazon S3 API reference. `expires` in seconds.
export async function presignS3(url, query, credentials, region, expires = 60, now = new Date()) {
  const u = new URL(url);
  const date = amzDate(now);
  const day = date.slice(0, 8);
  const scope = `${day}/${region}/s3/aws4_request`;
  const params = {
    ...query,
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Credential": `${credentials.access_key_id}/${scope}`,
    "X-Amz-Date": date,
    "X-Amz-Expires": String(expires),
    "X-Amz-SignedHeaders": "host",
  };
  if (credentials.session_token) params["X-Amz-Security-Token"] = credentials.session_token;
  const canonicalQuery = Object.keys(params)
    .sort()
    .map((k) => `${uriEncode(k)}=${uriEncode(String(params[k]))}`)
    .join("&");
  const canonical = ["GET", u.pathname, canonicalQuery, `host:${u.host}\n`, "host", "UNSIGNED-PAYLOAD"].join("\n");
  const toSign = ["AWS4-HMAC-SHA256", date, scope, await sha256Hex(canonical)].join("\n");
  let key = await hmac("AWS4" + credentials.secret_access_key, day);
  for (const part of [region, "s3", "aws4_request"]) key = await hmac(key, part);
  return `${u.origin}${u.pathname}?${canonicalQuery}&X-Amz-Signature=${hex(await hmac(key, toSign))}`;
}
