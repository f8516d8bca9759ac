/* global URLSearchParams */
// The login form: posts JSON, then goes to the page that sent the user here.
import { safeNextPath } from "./next-path.js";

const form = document.getElementById("login");
const error = document.getElementById("login-error");

function nextPage() {
  // Only a path on this server: never an open redirect.
  return safeNextPath(new URLSearchParams(location.search).get("next"));
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.textContent = "";
  const body = { name: form.elements.name.value.trim(), password: form.elements.password.value };
  if (!body.name || !body.password) {
    error.textContent = "Enter your user name and password.";
    return;
  }
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const res = await fetch("/api/v1/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (res.ok) {
      location.assign(nextPage());
      return;
    }
    const data = await res.json().catch(() => ({}));
    error.textContent = data?.error?.message ?? `Login failed (${res.status})`;
  } catch {
    error.textContent = "The appliance did not answer. Check the network and try again.";
  } finally {
    button.disabled = false;
  }
});
