// Card payment: Stripe.js confirms a SetupIntent (with 3-D Secure when the bank asks), then
// the form is posted to our server, which charges the saved card. Works on Stripe and localstripe.
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.dataset.stripeKey);
  var elements = stripe.elements({ locale: "fr" });
  var card = elements.create("card", { hidePostalCode: true });
  card.mount("#card-element");
  var errors = document.getElementById("card-errors");
  var button = document.getElementById("pay-button");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errors.textContent = "";
    stripe.confirmCardSetup(form.dataset.clientSecret, {
      payment_method: { card: card }
    }).then(function (result) {
      if (result.error) {
        errors.textContent = result.error.message || "La carte a été refusée.";
        button.disabled = false;
        return;
      }
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
  var stripe = Stripe(form.dataset.stripeKey);
  stripe.confirmCardPayment(form.dataset.clientSecret).then(function () { form.submit(); });
}());
