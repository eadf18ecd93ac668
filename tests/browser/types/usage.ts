// Compiled (not run) by the bindings_js_types test: the hand-written index.d.ts must accept what
// the README shows and reject misuse (each @ts-expect-error line must be an error).
import {
    HubConnection,
    HubConnectionBuilder,
    HubConnectionState,
    HttpTransportType,
    IRetryPolicy,
    ISubscription,
    LogLevel,
    SignalRError,
    getHeapStats,
} from '../../../bindings-js/index.js';

async function usage(): Promise<void> {
    const policy: IRetryPolicy = {
        nextRetryDelayInMilliseconds: (context) => (context.previousRetryCount < 3 ? 1000 * context.elapsedMilliseconds : null),
    };
    const connection: HubConnection = new HubConnectionBuilder()
        .withUrl('/hub', {
            accessTokenFactory: async () => 'token',
            skipNegotiation: false,
            headers: { 'X-Tenant': 'blue' },
            transport: HttpTransportType.WebSockets,
        })
        .withAutomaticReconnect(policy)
        .withAutomaticReconnect([0, 1000])
        .withAutomaticReconnect()
        .configureLogging(LogLevel.Warning)
        .configureLogging('debug')
        .configureLogging({ log: (level: LogLevel, message: string) => console.log(level, message) })
        .withServerTimeout(30000)
        .withKeepAliveInterval(15000)
        .build();

    connection.on('Broadcast', (from: string, text: string) => console.log(from, text));
    connection.on('Question', async (arg: string) => `answer ${arg}`);
    connection.off('Broadcast');
    connection.onclose((error?: Error) => console.log(error?.message));
    connection.onreconnecting((error) => console.log(error));
    connection.onreconnected((id?: string) => console.log(id));

    await connection.start();
    const state: HubConnectionState = connection.state;
    if (state === HubConnectionState.Connected && connection.connectionId !== null) {
        const id: string = connection.connectionId;
        console.log(id);
    }
    const sum: number = await connection.invoke<number>('Add', 1, 2);
    const big: bigint = await connection.invoke<bigint>('EchoLong', 2n ** 62n);
    await connection.send('Record', 1);
    for await (const item of connection.stream<number>('Counter', 3, 0)) {
        const n: number = item;
        console.log(n + sum, big);
    }
    const subscription: ISubscription<number> = connection.stream<number>('InfiniteCounter', 10).subscribe({
        next: (item: number) => console.log(item),
        error: (error: unknown) => console.log(error),
        complete: () => console.log('done'),
    });
    subscription.dispose();
    try {
        await connection.invoke('Throw', 'boom');
    } catch (error) {
        if (error instanceof SignalRError) {
            const code: string = error.code;
            console.log(code, error.serverMessage, error.message);
        }
    }
    const stats = getHeapStats();
    console.log(stats.allocatedBytes + stats.memoryBytes + stats.handles);
    await connection.stop();
}

function misuse(connection: HubConnection): void {
    // @ts-expect-error: state is read-only
    connection.state = 'Connected';
    // @ts-expect-error: connections come from the builder
    new HubConnection();
    // @ts-expect-error: no such log level
    new HubConnectionBuilder().configureLogging('loud');
    // @ts-expect-error: the token factory returns a string
    new HubConnectionBuilder().withUrl('/hub', { accessTokenFactory: () => 42 });
    // @ts-expect-error: delays are numbers
    new HubConnectionBuilder().withAutomaticReconnect(['1s']);
}

export { usage, misuse };
