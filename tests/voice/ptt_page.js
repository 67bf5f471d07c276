// Stands in for chat.js on the test page: records what a hands-free submit would have sent.
document.getElementById("chat-form").addEventListener("submit", function (event) {
  event.preventDefault();
  document.body.dataset.submitted = document.getElementById("message").value;
});
