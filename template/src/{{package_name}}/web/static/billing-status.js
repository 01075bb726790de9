// After checkout the dashboard waits for the payment provider to confirm the payment.
// Re-check the account's billing status every two seconds and reload the page once it
// is confirmed; stop after a minute and say so. Without JavaScript the page offers a
// "Refresh" link instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-billing-status]");
  if (!box) return;
  var message = box.querySelector("[data-billing-message]");
  var url = box.getAttribute("data-billing-status");
  var deadline = Date.now() + 60 * 1000;
  var WAITING = ["confirming", "none", "incomplete"];

  function giveUp() {
    message.textContent =
      "Your payment is taking longer than usual to confirm. Nothing is lost: " +
      "refresh this page in a minute, or check your email for the receipt.";
  }

  function check() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : { state: "confirming" };
      })
      .catch(function () {
        return { state: "confirming" };
      })
      .then(function (body) {
        if (WAITING.indexOf(body.state) === -1) {
          window.location.reload();
        } else if (Date.now() < deadline) {
          window.setTimeout(check, 2000);
        } else {
          giveUp();
        }
      });
  }

  window.setTimeout(check, 1000);
})();
