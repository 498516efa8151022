// Campaign payment form, progressive enhancement: the form works without this script (the server
// takes the chosen radio button, shows each amount's cost after tax and the summary). With it:
// "Autre montant" appears only when chosen, company fields only when "Je donne au nom d'une
// entreprise" is ticked, tickets get −/+ buttons and a total, and the summary follows each change.
// The figures mirror campagnes/giving.py (rates) and estimated_fee_cents (fees).
(function () {
  "use strict";
  var form = document.querySelector("[data-campaign-form]");
  if (!form) { return; }

  var INDIVIDUAL_RATE = 66, AID_RATE = 75, AID_CAP_CENTS = 100000, COMPANY_RATE = 60;
  var taxReceipt = form.dataset.taxReceipt === "1";
  var aid = form.dataset.aid === "1";
  var feePercent = parseFloat(form.dataset.feePercent || "0");
  var feeFixed = parseInt(form.dataset.feeFixed || "0", 10);
  var counterpartValues = {};
  var valuesNode = document.getElementById("counterpart-values");
  if (valuesNode) { counterpartValues = JSON.parse(valuesNode.textContent); }

  function formatEur(cents) {
    var negative = cents < 0;
    cents = Math.abs(cents);
    var euros = String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
    var rest = String(cents % 100);
    return (negative ? "-" : "") + euros + "," + (rest.length < 2 ? "0" + rest : rest) + "\u00a0€";
  }

  function parseCents(text) {
    var cleaned = (text || "").replace(/[\s\u00a0\u202f€]/g, "").replace(",", ".");
    if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) { return null; }
    var parts = cleaned.split(".");
    return parseInt(parts[0], 10) * 100 + (parts[1] ? parseInt((parts[1] + "0").slice(0, 2), 10) : 0);
  }

  function roundHalfEven(value) {
    var floor = Math.floor(value), diff = value - floor;
    if (Math.abs(diff - 0.5) < 1e-9) { return floor % 2 === 0 ? floor : floor + 1; }
    return Math.round(value);
  }

  function percent(cents, rate) { return Math.floor(cents * rate / 100 + 0.5); }

  function fee(cents) { return roundHalfEven(cents * feePercent / 100) + feeFixed; }

  function checked(name) {
    var input = form.querySelector("input[name='" + name + "']:checked");
    return input ? input.value : null;
  }

  function field(name) { return form.querySelector("[name='" + name + "']"); }

  // "Autre montant": shown only when chosen, and focused then.
  var other = form.querySelector("[data-other-amount]");
  function syncOther(focus) {
    if (!other) { return; }
    var isOther = checked("preset") === "autre";
    other.hidden = !isOther;
    if (isOther && focus) { other.querySelector("input").focus(); }
  }

  // Company fields behind their box; disabled while hidden so nothing typed earlier is sent.
  var company = form.querySelector("[data-company-fields]");
  var companyBox = field("is_company");
  function syncCompany() {
    if (!company || !companyBox) { return; }
    company.hidden = !companyBox.checked;
    company.querySelectorAll("input").forEach(function (input) { input.disabled = !companyBox.checked; });
  }
  if (companyBox && !companyBox.checked) {
    var typed = Array.prototype.some.call(company.querySelectorAll("input"), function (input) { return input.value; });
    if (typed) { companyBox.checked = true; }
  }

  // Tickets: −/+ buttons around each quantity (the number field stays typeable).
  function ticketsTotal() {
    var total = 0, any = false;
    form.querySelectorAll("[data-stepper] input").forEach(function (input) {
      any = true;
      var quantity = parseInt(input.value || "0", 10);
      if (quantity > 0) { total += quantity * parseInt(input.dataset.priceCents, 10); }
    });
    return any ? total : null;
  }
  form.querySelectorAll("[data-stepper]").forEach(function (stepper) {
    var input = stepper.querySelector("input");
    var name = stepper.dataset.name;
    function button(sign, label) {
      var element = document.createElement("button");
      element.type = "button";
      element.className = "stepper__button";
      element.textContent = sign > 0 ? "+" : "−";
      element.setAttribute("aria-label", label + " : " + name);
      element.setAttribute("aria-controls", input.id);
      element.addEventListener("click", function () {
        var min = parseInt(input.min || "0", 10), max = parseInt(input.max || "99", 10);
        var next = Math.min(max, Math.max(min, (parseInt(input.value || "0", 10) || 0) + sign));
        input.value = String(next);
        input.dispatchEvent(new Event("input", { bubbles: true }));
      });
      return element;
    }
    stepper.insertBefore(button(-1, "Un billet de moins"), input);
    stepper.appendChild(button(1, "Un billet de plus"));
  });

  function amountCents() {
    var preset = checked("preset");
    if (preset && preset !== "autre") { return parseInt(preset, 10); }
    var tickets = ticketsTotal();
    if (tickets !== null) { return tickets; }
    var tier = form.querySelector("input[name='tier']:checked");
    var amount = field("amount");
    if (amount && amount.value && (!tier || !amount.closest("[hidden]"))) {
      var typedCents = parseCents(amount.value);
      if (typedCents !== null) { return typedCents; }
    }
    if (tier && tier.dataset.priceCents) { return parseInt(tier.dataset.priceCents, 10); }
    return null;
  }

  var summary = form.querySelector("[data-summary]");
  var ticketTotal = form.querySelector("[data-ticket-total]");
  function update() {
    var tickets = ticketsTotal();
    if (ticketTotal && tickets !== null) { ticketTotal.textContent = formatEur(tickets); }
    if (!summary) { return; }
    var amount = amountCents();
    if (!amount) { summary.hidden = true; return; }
    summary.hidden = false;
    var coverFees = field("cover_fees");
    var fees = coverFees && coverFees.checked ? fee(amount) : 0;
    var total = amount + fees;
    summary.querySelector("[data-summary-total]").textContent = formatEur(total);
    var monthly = summary.querySelector("[data-summary-monthly]");
    if (monthly) { monthly.hidden = checked("frequency") !== "monthly"; }
    summary.querySelector("[data-summary-fees-line]").hidden = !fees;
    summary.querySelector("[data-summary-fees]").textContent = formatEur(fees);
    var cost = summary.querySelector("[data-summary-cost]");
    if (taxReceipt && cost) {
      var base = Math.max(amount - (counterpartValues[checked("counterpart") || ""] || 0), 0);
      var isCompany = companyBox && companyBox.checked;
      var rate = isCompany ? COMPANY_RATE : (aid ? AID_RATE : INDIVIDUAL_RATE);
      var reduction;
      if (isCompany) { reduction = percent(base, COMPANY_RATE); }
      else if (aid) {
        var at75 = Math.min(base, AID_CAP_CENTS);
        reduction = percent(at75, AID_RATE) + percent(base - at75, INDIVIDUAL_RATE);
      } else { reduction = percent(base, INDIVIDUAL_RATE); }
      cost.textContent = formatEur(total - reduction);
      summary.querySelector("[data-summary-rate]").textContent = String(rate);
    }
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "preset") { syncOther(true); }
    if (event.target.name === "is_company") { syncCompany(); }
    update();
  });
  form.addEventListener("input", update);
  syncOther(false);
  syncCompany();
  update();
})();
