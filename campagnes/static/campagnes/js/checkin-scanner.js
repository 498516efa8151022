/*
 * The door's check-in page: read the ticket's QR code with the phone's camera.
 *
 * The page works without this script (type the code, or use a handheld scanner that types it).
 * With it: a "Scanner avec la caméra" button opens the back camera (getUserMedia); each frame is
 * decoded by the browser's own BarcodeDetector where there is one, else by jsQR (served from
 * static/campagnes/vendor/jsqr). A code read fills the field and sends the form: the server
 * answers with a full-screen green or red page, and the camera starts again by itself after
 * the answer is dismissed (the choice is remembered for the tab in sessionStorage).
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-checkin-scanner]");
  if (!root) return;
  var form = document.querySelector(".kollektif-checkin__form");
  var input = form && form.querySelector("input[name='code']");
  var startButton = root.querySelector("[data-scanner-start]");
  var stopButton = root.querySelector("[data-scanner-stop]");
  var panel = root.querySelector("[data-scanner-panel]");
  var video = root.querySelector("video");
  var status = root.querySelector("[data-scanner-status]");
  var result = document.querySelector("[data-checkin-result]");
  var STORAGE_KEY = "kollektif-checkin-camera";
  var stream = null;
  var detector = null;
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var scanning = false;
  var lastScan = 0;

  function remember(on) {
    try {
      if (on) window.sessionStorage.setItem(STORAGE_KEY, "1");
      else window.sessionStorage.removeItem(STORAGE_KEY);
    } catch (error) {
      /* private mode: the camera is simply not restarted by itself */
    }
  }

  function remembered() {
    try {
      return window.sessionStorage.getItem(STORAGE_KEY) === "1";
    } catch (error) {
      return false;
    }
  }

  function say(text) {
    if (status) status.textContent = text;
  }

  function cameraAvailable() {
    return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  function makeDetector() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return window.BarcodeDetector.getSupportedFormats()
      .then(function (formats) {
        return formats.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
      })
      .catch(function () {
        return null;
      });
  }

  function decodeWithJsQR() {
    if (typeof window.jsQR !== "function" || !video.videoWidth) return null;
    var scale = Math.min(1, 640 / Math.max(video.videoWidth, video.videoHeight));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    return code && code.data ? code.data : null;
  }

  function found(text) {
    scanning = false;
    say(root.getAttribute("data-text-found"));
    if (navigator.vibrate) navigator.vibrate(80);
    input.value = text;
    remember(true);
    stopCamera(false);
    form.submit();
  }

  function tick() {
    if (!scanning) return;
    var now = Date.now();
    if (now - lastScan < 150 || video.readyState < 2) {
      window.requestAnimationFrame(tick);
      return;
    }
    lastScan = now;
    if (detector) {
      detector
        .detect(video)
        .then(function (codes) {
          if (codes.length && codes[0].rawValue) found(codes[0].rawValue);
          else window.requestAnimationFrame(tick);
        })
        .catch(function () {
          detector = null; /* fall back to jsQR */
          window.requestAnimationFrame(tick);
        });
      return;
    }
    var text = decodeWithJsQR();
    if (text) found(text);
    else window.requestAnimationFrame(tick);
  }

  function startCamera() {
    if (!cameraAvailable()) {
      say(root.getAttribute("data-text-unavailable"));
      return;
    }
    say(root.getAttribute("data-text-starting"));
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(function (mediaStream) {
        stream = mediaStream;
        video.srcObject = mediaStream;
        video.setAttribute("playsinline", "");
        video.muted = true;
        return video.play();
      })
      .then(makeDetector)
      .then(function (made) {
        detector = made;
        panel.hidden = false;
        startButton.hidden = true;
        stopButton.hidden = false;
        if (input) input.blur(); /* no keyboard over the camera on a phone */
        remember(true);
        say(root.getAttribute("data-text-scanning"));
        scanning = true;
        window.requestAnimationFrame(tick);
      })
      .catch(function (error) {
        remember(false);
        stopCamera(false);
        var denied = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
        say(root.getAttribute(denied ? "data-text-denied" : "data-text-unavailable"));
        if (input) input.focus();
      });
  }

  function stopCamera(forget) {
    scanning = false;
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
      stream = null;
    }
    video.srcObject = null;
    panel.hidden = true;
    startButton.hidden = false;
    stopButton.hidden = true;
    if (forget) {
      remember(false);
      say("");
    }
  }

  function dismissResult() {
    if (!result || result.hidden) return;
    result.hidden = true;
    if (remembered()) startCamera();
    else if (input) input.focus();
  }

  if (cameraAvailable()) root.hidden = false;
  startButton.addEventListener("click", startCamera);
  stopButton.addEventListener("click", function () {
    stopCamera(true);
    if (input) input.focus();
  });

  if (result) {
    var next = result.querySelector("[data-checkin-next]");
    if (next) {
      next.addEventListener("click", function (event) {
        event.preventDefault();
        dismissResult();
      });
      next.focus();
    }
    result.addEventListener("click", dismissResult);
    document.addEventListener("keydown", function (event) {
      /* a handheld scanner types the next code: let it go to the field */
      if (!result.hidden && event.key !== "Tab" && event.key !== "Enter" && event.key !== " ") {
        result.hidden = true;
        if (input) input.focus();
      }
    });
    if (result.getAttribute("data-outcome") === "admitted" && remembered()) {
      window.setTimeout(dismissResult, 2500); /* green: the next guest, without a tap */
    }
  } else if (remembered()) {
    startCamera();
  }
})();
