// Progressive enhancement only: every page works without this script.
// - Search as you type: the page itself answers the query, and only its results are swapped in.
// - Live regions: an element with data-live="seconds" is refreshed from the same page.
// - A field with data-select-on-focus selects its text when focused, ready to copy.
// - A note opened from the list loads into its pane without reloading the page.
// - Keyboard shortcuts: n new, / search, e edit, Ctrl+Enter save, Esc cancel, ? the list of them.
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

  for (const field of document.querySelectorAll('[data-select-on-focus]')) {
    field.addEventListener('focus', () => field.select());
  }

  for (const region of document.querySelectorAll('[data-live]')) {
    const seconds = Math.max(1, Number(region.dataset.live) || 3);
    setInterval(() => { if (!document.hidden) refresh(location.href, [region.id]); }, seconds * 1000);
  }
})();
