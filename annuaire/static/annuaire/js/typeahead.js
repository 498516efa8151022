/*
 * Type-ahead for long <select> lists (actors, communes): the ARIA 1.2 combobox pattern.
 *
 * Progressive enhancement: the page ships a plain <select data-typeahead> that works without
 * JavaScript; this script hides it and puts a text input (role="combobox") with a listbox in
 * front of it. Typing filters the options, ignoring case and accents (the same folding as the
 * server); when the select names a source (data-typeahead-source), the server's suggestions
 * (typo-tolerant, e.g. "bethnue") are asked as well. Arrows move, Enter chooses, Escape closes.
 * For a <select multiple>, chosen items become buttons that remove them.
 * No dependency, no CDN.
 */
(function () {
  "use strict";

  var LIGATURES = { "œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d" };
  var MAX_SHOWN = 10;
  var counter = 0;

  function fold(value) {
    return (value || "")
      .toLowerCase()
      .replace(/[œæßøłđ]/g, function (c) { return LIGATURES[c]; })
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/\s+/g, " ")
      .trim();
  }

  function localMatches(select, query) {
    var tokens = fold(query).split(" ").filter(Boolean);
    var found = [];
    for (var i = 0; i < select.options.length; i++) {
      var option = select.options[i];
      if (!option.value) continue;
      var text = option.dataset.folded || (option.dataset.folded = fold(option.text));
      if (tokens.every(function (t) { return text.indexOf(t) !== -1; })) {
        found.push({ value: option.value, label: option.text });
      }
    }
    var first = tokens[0] || "";
    found.sort(function (a, b) {
      return (fold(a.label).indexOf(first) === 0 ? 0 : 1) - (fold(b.label).indexOf(first) === 0 ? 0 : 1);
    });
    return found.slice(0, MAX_SHOWN);
  }

  function enhance(select) {
    counter += 1;
    var id = select.id || "typeahead-" + counter;
    var multiple = select.multiple;
    var source = select.dataset.typeaheadSource;
    var label = document.querySelector('label[for="' + select.id + '"]');

    var wrapper = document.createElement("div");
    wrapper.className = "typeahead";
    var input = document.createElement("input");
    input.type = "text";
    input.id = id + "-saisie";
    input.className = "typeahead__input";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("autocapitalize", "none");
    input.setAttribute("spellcheck", "false");
    input.placeholder = select.dataset.typeaheadPlaceholder || "";
    var listbox = document.createElement("ul");
    listbox.id = id + "-liste";
    listbox.className = "typeahead__listbox";
    listbox.setAttribute("role", "listbox");
    listbox.hidden = true;
    input.setAttribute("aria-controls", listbox.id);
    var status = document.createElement("p");
    status.className = "typeahead__status visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var chips = document.createElement("ul");
    chips.className = "typeahead__chosen";
    if (label) {
      label.setAttribute("for", input.id);
      listbox.setAttribute("aria-labelledby", label.id || (label.id = id + "-label"));
    } else {
      input.setAttribute("aria-label", select.getAttribute("aria-label") || "");
    }
    var describedBy = select.getAttribute("aria-describedby");
    if (describedBy) input.setAttribute("aria-describedby", describedBy);
    if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", select.getAttribute("aria-invalid"));

    // Kept in the page (it is what the form submits) but out of sight and out of the tab order.
    select.classList.add("typeahead__native");
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    select.parentNode.insertBefore(wrapper, select);
    wrapper.appendChild(input);
    wrapper.appendChild(listbox);
    wrapper.appendChild(status);
    if (multiple) wrapper.appendChild(chips);
    wrapper.appendChild(select);

    var items = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function selectedOption() {
      return select.selectedIndex >= 0 ? select.options[select.selectedIndex] : null;
    }

    function showSingleValue() {
      var option = selectedOption();
      input.value = option && option.value ? option.text : "";
    }

    function renderChips() {
      chips.innerHTML = "";
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.selected || !option.value) return;
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "typeahead__chip";
        button.textContent = option.text + " ×";
        button.setAttribute("aria-label", (select.dataset.typeaheadRemove || "Retirer") + " " + option.text);
        button.addEventListener("click", function () {
          option.selected = false;
          select.dispatchEvent(new Event("change", { bubbles: true }));
          renderChips();
          input.focus();
        });
        li.appendChild(button);
        chips.appendChild(li);
      });
    }

    function close() {
      // A suggestion still on its way must not reopen what the person just closed.
      window.clearTimeout(timer);
      asked += 1;
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function setActive(index) {
      var nodes = listbox.children;
      if (active >= 0 && nodes[active]) nodes[active].setAttribute("aria-selected", "false");
      active = index;
      if (active >= 0 && nodes[active]) {
        nodes[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", nodes[active].id);
        nodes[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(results) {
      items = results.filter(function (item) {
        return Array.prototype.some.call(select.options, function (o) { return o.value === item.value; });
      });
      listbox.innerHTML = "";
      items.forEach(function (item, index) {
        var li = document.createElement("li");
        li.id = id + "-option-" + index;
        li.className = "typeahead__option";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = item.label + (item.detail ? " (" + item.detail + ")" : "");
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });
        li.addEventListener("click", function () { choose(index); });
        listbox.appendChild(li);
      });
      var open = items.length > 0 && document.activeElement === input;
      listbox.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      active = -1;
      input.removeAttribute("aria-activedescendant");
      status.textContent = items.length === 0
        ? (select.dataset.typeaheadNone || "Aucun résultat.")
        : items.length + " " + (items.length > 1 ? (select.dataset.typeaheadMany || "résultats") : (select.dataset.typeaheadOne || "résultat")) + ".";
    }

    function choose(index) {
      var item = items[index];
      if (!item) return;
      Array.prototype.forEach.call(select.options, function (option) {
        if (option.value === item.value) option.selected = true;
        else if (!multiple) option.selected = false;
      });
      select.dispatchEvent(new Event("change", { bubbles: true }));
      if (multiple) {
        input.value = "";
        renderChips();
      } else {
        input.value = item.label;
      }
      close();
    }

    function search() {
      var query = input.value;
      if (!fold(query)) {
        if (!multiple) {
          // Emptying the field clears the choice (the select's empty option: "Toutes", "Tout le réseau").
          Array.prototype.forEach.call(select.options, function (o) { o.selected = !o.value; });
        }
        render([]);
        close();
        return;
      }
      var local = localMatches(select, query);
      render(local);
      if (!source) return;
      var ticket = ++asked;
      fetch(source + (source.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || ticket !== asked || !data.results) return;
          var seen = {};
          var merged = [];
          data.results.concat(local).forEach(function (item) {
            if (!seen[item.value]) { seen[item.value] = true; merged.push(item); }
          });
          var keep = active >= 0 && items[active] ? items[active].value : null;
          render(merged.slice(0, MAX_SHOWN));
          if (keep) {
            var again = items.map(function (i) { return i.value; }).indexOf(keep);
            if (again >= 0) setActive(again);
          }
        })
        .catch(function () { /* the local list is enough */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var local = localMatches(select, input.value);
      if (fold(input.value)) render(local);
      timer = window.setTimeout(search, source ? 150 : 0);
    });
    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { search(); return; }
        setActive(active + 1 < items.length ? active + 1 : 0);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (open) setActive(active > 0 ? active - 1 : items.length - 1);
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        } else if (!multiple) {
          input.value = "";
          Array.prototype.forEach.call(select.options, function (o) { o.selected = !o.value; });
        }
      } else if (event.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(function () {
        close();
        if (!multiple) showSingleValue();
      }, 150);
    });

    // A script (or a test) may change the select itself: follow it.
    select.addEventListener("change", function () {
      if (multiple) renderChips();
      else if (document.activeElement !== input) showSingleValue();
    });

    if (multiple) renderChips();
    else showSingleValue();
  }

  function init(root) {
    var selects = (root || document).querySelectorAll("select[data-typeahead]:not([data-typeahead-ready])");
    Array.prototype.forEach.call(selects, function (select) {
      select.setAttribute("data-typeahead-ready", "");
      enhance(select);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(); });
  else init();
  window.kollektifTypeahead = { init: init, fold: fold };
})();
