// Card payment: Stripe.js confirms a SetupIntent (with 3-D Secure when the bank asks), then
// the form is posted to our server, which charges the saved card. Works on Stripe and localstripe.
// Every message the payer reads is in French: Stripe.js runs with locale "fr", and the bank's
// reasons (decline_code / code) are translated here and, for a refusal, by the server too.
(function () {
  "use strict";

  var MESSAGES = {
    insufficient_funds: "Carte refusée : provision insuffisante.",
    expired_card: "Carte refusée : elle a expiré.",
    incorrect_cvc: "Carte refusée : le cryptogramme (CVC) est incorrect.",
    invalid_cvc: "Carte refusée : le cryptogramme (CVC) est incorrect.",
    incomplete_cvc: "Le cryptogramme (CVC) est incomplet.",
    incorrect_number: "Le numéro de carte est incorrect.",
    invalid_number: "Le numéro de carte est incorrect.",
    incomplete_number: "Le numéro de carte est incomplet.",
    invalid_expiry_month: "Le mois d'expiration est incorrect.",
    invalid_expiry_year: "L'année d'expiration est incorrecte.",
    invalid_expiry_year_past: "L'année d'expiration est déjà passée.",
    incomplete_expiry: "La date d'expiration est incomplète.",
    processing_error: "Carte refusée : erreur de traitement chez la banque. Réessayez dans un instant.",
    authentication_required: "Carte refusée : votre banque demande une authentification (3-D Secure).",
    payment_intent_authentication_failure: "L'authentification 3-D Secure a échoué : aucun montant n'a été débité.",
    setup_intent_authentication_failure: "L'authentification 3-D Secure a échoué : aucun montant n'a été débité.",
    card_velocity_exceeded: "Carte refusée : plafond de la carte atteint.",
    do_not_honor: "Carte refusée par la banque : contactez-la pour en savoir plus.",
    generic_decline: "Carte refusée par la banque.",
    card_declined: "Carte refusée par la banque."
  };

  function frenchMessage(error) {
    if (!error) { return ""; }
    return MESSAGES[error.decline_code] || MESSAGES[error.code] ||
      (error.type === "card_error" ? MESSAGES.card_declined : "Le paiement n'a pas pu être confirmé. Réessayez.");
  }

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // A refusal is told to the server, which reads the bank's reason from Stripe and records it
  // on the payment (the treasurer sees it); its answer, in French, is what the payer reads.
  function reportDecline(form, fallback, show) {
    if (!form.dataset.declineUrl) { show(fallback, null); return; }
    fetch(form.dataset.declineUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(form), "Accept": "application/json" }
    }).then(function (response) { return response.json(); })
      .then(function (body) { show(body.message || fallback, body.next || null); })
      .catch(function () { show(fallback, null); });
  }

  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.dataset.stripeKey, { locale: "fr" });
  var elements = stripe.elements({ locale: "fr" });
  var card = elements.create("card", { hidePostalCode: true });
  card.mount("#card-element");
  var errors = document.getElementById("card-errors");
  var button = document.getElementById("pay-button");
  // What the payer hears while the bank answers, and its result (a polite live region; the
  // card's errors keep their own role="alert").
  var status = document.getElementById("payment-status");
  var pending = false;
  function announce(text) { if (status) { status.textContent = text || ""; } }
  // The button is not disabled while the bank answers: a disabled button loses the focus,
  // which falls to <body> and sends the next Tab to the footer. aria-disabled says it is busy
  // and a second press is ignored.
  function busy(on) {
    pending = on;
    if (on) { button.setAttribute("aria-disabled", "true"); } else { button.removeAttribute("aria-disabled"); }
  }
  // After a refusal, the focus goes back to the card so the payer can correct it at once.
  function backToCard() {
    if (typeof card.focus === "function") { card.focus(); return; }
    var field = document.querySelector("#card-element input, #card-element iframe");
    (field || button).focus();
  }
  function failed(text) {
    errors.textContent = text;
    announce(form.dataset.msgFailed);
    busy(false);
    backToCard();
  }
  card.on("change", function (event) {
    errors.textContent = event && event.error ? frenchMessage(event.error) : "";
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (pending) { return; }
    busy(true);
    errors.textContent = "";
    announce(form.dataset.msgPending);
    stripe.confirmCardSetup(form.dataset.clientSecret, {
      payment_method: { card: card }
    }).then(function (result) {
      if (result.error) {
        var message = frenchMessage(result.error);
        if (result.error.type === "validation_error") {
          failed(message);
          return;
        }
        reportDecline(form, message, function (text, next) {
          if (next) { window.location.assign(next); return; }
          failed(text);
        });
        return;
      }
      announce(form.dataset.msgAccepted);
      var setupIntent = form.querySelector("input[name=setup_intent]");
      if (setupIntent && result.setupIntent) { setupIntent.value = result.setupIntent.id; }
      form.submit();
    });
  });
}());

// Second step, when the bank asks for 3-D Secure at the charge: let Stripe.js run it, then
// post the form so the server reads the payment's new state (a refusal is shown by the server).
(function () {
  "use strict";
  var form = document.getElementById("authenticate-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.dataset.stripeKey, { locale: "fr" });
  stripe.confirmCardPayment(form.dataset.clientSecret).then(function () { form.submit(); });
}());
