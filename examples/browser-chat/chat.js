// The browser chat: signalr-cpp's WebAssembly client (the npm package's index.js) talking to the
// test hub's BroadcastOthers/Broadcast methods, the same messages the native signalr-chat
// (examples/chat) uses, so browser and terminal users can talk to each other.
//
// Query parameters: name (prefills your name), hub (default /hub on this origin), module (where
// the package's index.js is served; default /signalr/index.js).
const params = new URLSearchParams(location.search);
const { HubConnectionBuilder, LogLevel } = await import(params.get('module') || '/signalr/index.js');

const log = document.getElementById('log');
const status = document.getElementById('status');
const form = document.getElementById('send');
const nameInput = document.getElementById('name');
const textInput = document.getElementById('text');
const button = document.getElementById('button');
nameInput.value = params.get('name') || '';

function show(text, kind = '') {
    const item = document.createElement('li');
    item.textContent = text;
    item.className = kind;
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
}

function setStatus(text, kind = '') {
    status.textContent = text;
    status.className = kind;
    button.disabled = kind !== 'connected';
}

const connection = new HubConnectionBuilder()
    .withUrl(params.get('hub') || '/hub')
    .withAutomaticReconnect()
    .configureLogging(LogLevel.Warning)
    .build();

// The hub calls Broadcast(senderConnectionId, text); the sender's name travels in the text.
connection.on('Broadcast', (_from, text) => show(text));
connection.onreconnecting(() => setStatus('connection lost, reconnecting…'));
connection.onreconnected(() => setStatus('connected again', 'connected'));
connection.onclose((error) => setStatus(error ? `disconnected: ${error.message}` : 'disconnected', 'error'));

form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const line = `${nameInput.value.trim() || 'anonymous'}: ${textInput.value}`;
    textInput.value = '';
    show(line, 'mine');
    try {
        await connection.invoke('BroadcastOthers', line);
    } catch (error) {
        show(`not sent (${error.message})`, 'system');
    }
});

try {
    await connection.start();
    setStatus('connected', 'connected');
    show('you are in; messages from others appear here', 'system');
} catch (error) {
    setStatus(`could not connect: ${error.message}`, 'error');
}

// For tests and the console.
window.chat = { connection };
