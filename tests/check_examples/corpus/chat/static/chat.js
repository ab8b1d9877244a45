const socket = io(); socket.on("message", (m) => console.log(m));
