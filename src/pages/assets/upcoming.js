/* <eventline-upcoming limit="3" category="…">: the next sessions of an Eventline service, in a shadow root.
 * No eval, no inline script, no framework: it runs under a host CSP that allows this origin's scripts
 * and connections only. The server puts the stylesheet below in place of the marker. */
(function () {
  'use strict';
  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src).origin : window.location.origin;
  var CSS = /* EVENTLINE_CSS */ '';
  var sheet = null;

  function language(element) {
    var tagged = element.closest('[lang]');
    return (tagged && tagged.getAttribute('lang')) || document.documentElement.lang || navigator.language || 'en';
  }

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    (children || []).forEach(function (child) { node.append(child); });
    return node;
  }

  function clampLimit(value) {
    var n = parseInt(value || '3', 10);
    return Math.min(Math.max(isNaN(n) ? 3 : n, 1), 20);
  }

  class EventlineUpcoming extends HTMLElement {
    static get observedAttributes() { return ['limit', 'category']; }

    connectedCallback() {
      if (!this.shadowRoot) {
        var root = this.attachShadow({ mode: 'open' });
        // Constructed stylesheets are not <style> elements, so a host's style-src does not block them.
        if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function') {
          if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
          root.adoptedStyleSheets = [sheet];
        } else {
          root.append(el('style', {}, [CSS]));
        }
      }
      this.load();
    }

    attributeChangedCallback() {
      if (this.shadowRoot) this.load();
    }

    show(children) {
      var heading = el('h2', { id: 'eventline-heading', part: 'heading' }, [this.getAttribute('heading') || 'Upcoming Events']);
      var box = el('section', { 'aria-labelledby': 'eventline-heading' }, [heading].concat(children));
      this.shadowRoot.replaceChildren(box);
    }

    more(text) {
      return el('a', { class: 'more', href: origin + '/upcoming' }, [text]);
    }

    load() {
      var url = new URL('/sessions', origin);
      url.searchParams.set('limit', String(clampLimit(this.getAttribute('limit'))));
      var category = this.getAttribute('category');
      if (category) url.searchParams.set('category', category);
      var request = (this.request = {});
      this.show([el('p', { role: 'status' }, ['Loading upcoming events…'])]);
      fetch(url.toString(), { credentials: 'omit', headers: { Accept: 'application/json' } })
        .then((res) => {
          if (!res.ok) throw new Error('HTTP ' + res.status);
          return res.json();
        })
        .then((page) => {
          // A newer load (the attributes changed) wins over an older answer.
          if (request === this.request) this.render(page.data || []);
        })
        .catch(() => {
          if (request !== this.request) return;
          this.show([el('p', { role: 'status' }, ['Upcoming events could not be loaded. ']), this.more('See upcoming events')]);
        });
    }

    render(sessions) {
      var lang = language(this);
      if (sessions.length === 0) {
        this.show([el('p', {}, ['No upcoming events.']), this.more('More upcoming events')]);
        return;
      }
      var items = sessions.map(function (s) {
        var start = new Date(s.startsAt);
        var month = new Intl.DateTimeFormat(lang, { timeZone: s.timezone, month: 'short' }).format(start);
        var day = new Intl.DateTimeFormat(lang, { timeZone: s.timezone, day: '2-digit' }).format(start);
        var when = new Intl.DateTimeFormat(lang, { timeZone: s.timezone, dateStyle: 'long' }).format(start);
        var text = el('div', { class: 'text' }, []);
        if (s.event.organizer) text.append(el('span', { class: 'organizer' }, [s.event.organizer]));
        text.append(el('a', { href: origin + '/e/' + encodeURIComponent(s.event.slug) }, [s.event.title]));
        var date = el('time', { datetime: s.startsAt, title: when }, [
          el('span', { class: 'month' }, [month]),
          el('span', { class: 'day' }, [day]),
        ]);
        return el('li', {}, [date, text]);
      });
      this.show([el('ul', {}, items), this.more('More upcoming events')]);
    }
  }

  if (!customElements.get('eventline-upcoming')) customElements.define('eventline-upcoming', EventlineUpcoming);
})();
