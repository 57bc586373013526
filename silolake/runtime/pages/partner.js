// Partner upload page: POST /session with username + password, then upload straight to
// the partner's prefix in the dropzone bucket with the temporary credentials it returns.
// The credentials live in memory only (a reload signs the partner out).
import { callApi, formatBytes, loadConfig, show } from "./common.js";
import { uploadFile } from "./upload.js";

const $ = (id) => document.getElementById(id);
let session = null;

async function signIn(event) {
  event.preventDefault();
  show($("message"), "");
  $("sign-in-button").disabled = true;
  try {
    const { status, data } = await callApi("POST", "/session", {
      body: { username: $("username").value.trim(), password: $("password").value },
    });
    $("password").value = "";
    if (status !== 200) {
      const text = status === 503 ? "Your credential is still being set up; try again in a minute." : data.message;
      show($("message"), `Sign-in failed: ${text || `HTTP ${status}`}`, "error");
      return;
    }
    session = data;
    $("who").textContent = data.username;
    $("target").textContent = `${data.bucket}/${data.prefix}`;
    $("sign-in").hidden = true;
    $("upload").hidden = false;
    if (!data.channels.includes("upload")) {
      show($("message"), "This credential is not allowed to upload from the web page.", "error");
      $("upload-button").disabled = true;
    }
  } catch (error) {
    show($("message"), `Sign-in failed: ${error.message}`, "error");
  } finally {
    $("sign-in-button").disabled = false;
  }
}

function log(text) {
  const item = document.createElement("li");
  item.textContent = text;
  $("log").append(item);
}

async function upload() {
  const file = $("file").files[0];
  if (!file || !session) return;
  show($("message"), "");
  $("upload-button").disabled = true;
  $("progress").value = 0;
  try {
    const config = await loadConfig();
    const key = await uploadFile(file, session, config, {
      onProgress: (done, total) => {
        $("progress").value = total ? Math.floor((100 * done) / total) : 100;
        $("progress-text").textContent = `${formatBytes(done)} of ${formatBytes(total)}`;
      },
      log,
    });
    log(`uploaded ${key} (${formatBytes(file.size)})`);
    show($("message"), `Uploaded ${file.name}.`, "success");
  } catch (error) {
    show($("message"), `Upload failed: ${error.message}`, "error");
  } finally {
    $("upload-button").disabled = false;
  }
}

function signOut() {
  session = null;
  $("upload").hidden = true;
  $("sign-in").hidden = false;
  $("log").replaceChildren();
}

$("sign-in").addEventListener("submit", signIn);
$("upload-button").addEventListener("click", upload);
$("sign-out").addEventListener("click", signOut);
