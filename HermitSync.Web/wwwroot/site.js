// Progressive enhancement only: every page works without this script.
// - Search as you type: the page itself answers the query, and only its results are swapped in.
// - Live regions: an element with data-live="seconds" is refreshed from the same page.
// - A field with data-select-on-focus selects its text when focused, ready to copy.
// - A note opened from the list loads into its pane without reloading the page.
// - Keyboard shortcuts: n new, / search, e edit, Ctrl+Enter save, Esc cancel, ? the list of them.
// - Attachments: files picked, pasted or dropped into a note's text are uploaded, with progress,
//   and linked where the cursor is; an attachment still on its way shows when it lands.
// Handlers live here, never in the markup: the page's Content-Security-Policy refuses inline script.
(() => {
  const offline = document.getElementById('offline');

  async function refresh(url, ids) {
    try {
      const response = await fetch(url, { headers: { Accept: 'text/html' }, credentials: 'same-origin' });
      if (!response.ok && response.status < 500) return;
      const page = new DOMParser().parseFromString(await response.text(), 'text/html');
      for (const id of ids) {
        const fresh = page.getElementById(id);
        const current = document.getElementById(id);
        if (fresh && current) current.replaceWith(fresh);
      }
      offline.hidden = response.ok;
    } catch {
      offline.hidden = false;
    }
  }

  const search = document.querySelector('input[data-search]');
  if (search) {
    let timer;
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const url = new URL(location.href);
        url.searchParams.delete('cursor');
        if (search.value.trim()) url.searchParams.set('q', search.value); else url.searchParams.delete('q');
        history.replaceState(null, '', url);
        refresh(url, [search.dataset.search]);
      }, 200);
    });
  }

  const pane = document.getElementById('note-pane');
  if (pane) {
    document.addEventListener('click', async event => {
      const link = event.target.closest('a[data-open-note]');
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      history.pushState(null, '', link.href);
      await refresh(link.href, ['note-pane']);
      document.querySelector('.panes')?.classList.add('has-note');
      for (const other of document.querySelectorAll('a[data-open-note][aria-current]')) other.removeAttribute('aria-current');
      link.setAttribute('aria-current', 'true');
    });
    addEventListener('popstate', () => location.reload());
  }

  const help = document.getElementById('shortcuts');
  const toggleHelp = () => { if (help?.open) help.close(); else help?.showModal(); };
  document.querySelector('[data-shortcut-help]')?.addEventListener('click', event => { event.preventDefault(); toggleHelp(); });
  document.addEventListener('keydown', event => {
    const typing = event.target.closest('input, textarea, select, [contenteditable]');
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      const form = event.target.closest('form.editor');
      if (form) { event.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (event.key === 'Escape') {
      if (help?.open) return;
      // Esc leaves the search box, so the next key is a shortcut again.
      if (typing && !event.target.closest('form.editor')) { event.target.blur(); return; }
      const cancel = document.querySelector('a[data-shortcut="cancel"]');
      if (cancel) { event.preventDefault(); cancel.click(); }
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    switch (event.key) {
      case 'n': event.preventDefault(); location.href = '/Notes/New'; break;
      case '/': {
        event.preventDefault();
        const box = document.querySelector('input[data-search]');
        if (box) box.focus(); else location.href = '/';
        break;
      }
      case 'e': {
        const edit = document.querySelector('a[data-shortcut="e"]');
        if (edit) { event.preventDefault(); edit.click(); }
        break;
      }
      case '?': event.preventDefault(); toggleHelp(); break;
    }
  });

  const attach = document.querySelector('[data-attach-to]');
  const text = attach && document.getElementById(attach.dataset.attachTo);
  if (text) {
    attach.hidden = false;
    const progress = attach.querySelector('progress');
    const status = attach.querySelector('[data-attach-status]');
    const maxBytes = Number(attach.dataset.maxBytes);
    const upload = file => new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open('POST', `/api/attachments?name=${encodeURIComponent(file.name || 'pasted')}`);
      request.setRequestHeader('Content-Type', 'application/octet-stream');
      request.upload.addEventListener('progress', event => {
        if (event.lengthComputable) { progress.max = event.total; progress.value = event.loaded; }
      });
      request.addEventListener('load', () => {
        let answer = {};
        try { answer = JSON.parse(request.responseText); } catch { }
        if (request.status === 201) resolve(answer);
        else reject(new Error(answer.detail || `the upload failed (${request.status})`));
      });
      request.addEventListener('error', () => reject(new Error('the upload failed: the app could not be reached')));
      request.send(file);
    });
    const insert = markdown => {
      const before = text.value.slice(0, text.selectionStart);
      text.setRangeText((before && !before.endsWith('\n') ? '\n' : '') + markdown + '\n', text.selectionStart, text.selectionEnd, 'end');
      text.focus();
    };
    const attachAll = async files => {
      for (const file of files) {
        if (file.size > maxBytes) {
          status.textContent = `${file.name} is not attached: it is larger than ${attach.dataset.maxSize}, the most one attachment may be.`;
          continue;
        }
        progress.hidden = false;
        progress.value = 0;
        status.textContent = `Attaching ${file.name}…`;
        try {
          const attachment = await upload(file);
          insert(attachment.markdown);
          status.textContent = `Attached ${attachment.name}.`;
        } catch (error) {
          status.textContent = `${file.name} is not attached: ${error.message}`;
        }
      }
      progress.hidden = true;
    };
    const picker = attach.querySelector('[data-attach-pick]');
    picker.addEventListener('change', () => { attachAll([...picker.files]); picker.value = ''; });
    text.addEventListener('paste', event => {
      const files = [...(event.clipboardData?.files ?? [])];
      if (files.length) { event.preventDefault(); attachAll(files); }
    });
    text.addEventListener('dragover', event => { if (event.dataTransfer?.types.includes('Files')) event.preventDefault(); });
    text.addEventListener('drop', event => {
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length) { event.preventDefault(); attachAll(files); }
    });
  }

  setInterval(async () => {
    if (document.hidden) return;
    for (const pending of document.querySelectorAll('[data-attachment-pending]')) {
      const source = `/attachments/${pending.dataset.attachmentPending}`;
      try {
        const response = await fetch(source, { method: 'HEAD', credentials: 'same-origin' });
        if (!response.ok) continue;
        const image = document.createElement('img');
        image.src = source;
        image.alt = pending.getAttribute('aria-label') ?? '';
        pending.replaceWith(image);
      } catch { }
    }
  }, 3000);

  for (const field of document.querySelectorAll('[data-select-on-focus]')) {
    field.addEventListener('focus', () => field.select());
  }

  for (const region of document.querySelectorAll('[data-live]')) {
    const seconds = Math.max(1, Number(region.dataset.live) || 3);
    setInterval(() => { if (!document.hidden) refresh(location.href, [region.id]); }, seconds * 1000);
  }
})();
