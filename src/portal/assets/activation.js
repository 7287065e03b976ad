// The activation page follows the activation by itself: when the phone has scanned the QR code,
// or chosen its password, or the activation failed or expired, the page reloads to show the next
// step. Nothing changes under the user's fingers while the code form is being filled.
const box = document.getElementById('activation');
if (box) {
  const initial = box.dataset.step;
  const final = new Set(['active', 'failed']);
  const tick = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { accept: 'application/json' } });
      if (response.ok) {
        const { step } = await response.json();
        if (step !== initial) {
          window.location.assign(box.dataset.pageUrl);
          return;
        }
      }
    } catch {
      // Network hiccup: try again at the next tick.
    }
    setTimeout(tick, 1500);
  };
  if (!final.has(initial)) setTimeout(tick, 1500);
}
