using Baton.Server;

var app = BatonServerApp.Build(args);
await app.RunAsync();
