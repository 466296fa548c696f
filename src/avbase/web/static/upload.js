// Resumable upload of the library page: the file goes in chunks to /api/v1/media/uploads; the upload id is
// remembered per file, so choosing the same file again after a dropped connection or a closed tab resumes
// where the server stands. Without JavaScript the form posts the whole file instead.
(function () {
  const form = document.getElementById("upload-form");
  if (!form || !window.fetch || !window.Blob) return;
  const input = form.querySelector("input[type=file]");
  const headers = { "X-CSRF-Token": form.querySelector("input[name=csrf_token]").value };
  const bar = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  const say = (text) => { status.textContent = text; };
  const api = "/api/v1/media/uploads";

  async function call(url, options) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fetch(url, { ...options, headers: { ...headers, ...(options && options.headers) } });
      } catch (error) {  // the network dropped: wait and try again, then give up with a message
        if (attempt >= 20) throw error;
        say(form.dataset.msgRetrying);
        await new Promise((done) => setTimeout(done, 3000));
      }
    }
  }
  async function refuse(response) {
    let message = form.dataset.msgFailed;
    try { message = (await response.json()).detail || message; } catch (_) { /* not JSON */ }
    say(message);
    form.querySelector("button").disabled = false;
  }

  form.addEventListener("submit", async (event) => {
    const file = input.files[0];
    if (!file) return;
    event.preventDefault();
    form.querySelector("button").disabled = true;
    bar.hidden = false;
    const key = `avbase-upload:${file.name}:${file.size}:${file.lastModified}`;
    let state = null;
    const known = localStorage.getItem(key);
    if (known) {
      const found = await call(`${api}/${known}`);
      if (found.ok) { state = await found.json(); say(form.dataset.msgResuming); }
    }
    if (!state) {
      const started = await call(api, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ file_name: file.name, size: file.size }),
      });
      if (!started.ok) return refuse(started);
      state = await started.json();
      localStorage.setItem(key, state.id);
    }
    while (!state.asset) {
      const sent = await call(`${api}/${state.id}?offset=${state.offset}`, {
        method: "PUT", headers: { "Content-Type": "application/octet-stream" },
        body: file.slice(state.offset, state.offset + state.chunk_size),
      });
      if (sent.status === 409) {  // the server has more (or less) than we thought: ask where it stands
        state = await (await call(`${api}/${state.id}`)).json();
        continue;
      }
      if (!sent.ok) return refuse(sent);
      state = await sent.json();
      const share = Math.floor((state.offset / state.size) * 100);
      bar.querySelector("span").style.width = `${share}%`;
      bar.setAttribute("aria-valuenow", String(share));
      say(`${share}% · ${(state.offset / 1048576).toFixed(1)} / ${(state.size / 1048576).toFixed(1)} MB`);
    }
    localStorage.removeItem(key);
    window.location.href = `/media/${state.asset.id}`;
  });
})();
