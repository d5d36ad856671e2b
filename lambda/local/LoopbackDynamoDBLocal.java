import com.almworks.sqlite4java.SQLiteConnection;
import com.almworks.sqlite4java.SQLiteJob;
import com.almworks.sqlite4java.SQLiteQueue;
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.File;
import java.io.FileOutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Starts Amazon DynamoDB Local bound to 127.0.0.1 only.
 *
 * DynamoDB Local's own launcher listens on every interface and has no option to choose one, so this wrapper
 * builds the server from the usual command-line arguments, sets the loopback host on its Jetty connector before
 * starting it, and prints "LISTENING <port>" (port 0 picks a free one).
 *
 * Its own options come first, before DynamoDB Local's:
 *   -idleSeconds N   run detached: exit once no connection has sent or received anything, or opened or closed, for
 *                    N seconds (a server shared by several commands); without it, exit when standard input closes (a
 *                    server owned by one process: it does not outlive its parent)
 *   -portFile PATH   also write the port to PATH (written to PATH.tmp, then renamed), for a detached server
 *   -durableWal      on-disk data only: SQLite in WAL mode with synchronous=NORMAL, its temporary files in memory, an
 *                    exclusive lock on the database file, a 64 MiB page cache, and a checkpoint every 2 seconds
 *                    that folds the log into the database and starts it over, cut back to 8 MiB (so it holds a few
 *                    seconds of writes at most; the SQLite of this DynamoDB Local, 3.8.7, has no TRUNCATE mode).
 *                    A committed write survives the server being killed (it is in the write-ahead log, which the
 *                    next start replays); only a crash of the operating system can lose the last writes, which the
 *                    CLI covers by syncing the files before it reports success. On a clean exit (SIGTERM, idle) the
 *                    log is folded into the database and removed.
 */
public class LoopbackDynamoDBLocal implements Connection.Listener {
  /**
   * When a connection last opened or closed. The idle wait also reads how long each open connection has been quiet,
   * but a request on a connection of its own (a short command: `trail-audit query`) can open and close between two of
   * its looks, and would not count as activity.
   */
  private static volatile long lastConnectionEvent = System.currentTimeMillis();

  @Override
  public void onOpened(Connection connection) {
    lastConnectionEvent = System.currentTimeMillis();
  }

  @Override
  public void onClosed(Connection connection) {
    lastConnectionEvent = System.currentTimeMillis();
  }

  /** The SQLite statements run before the server answers, on the connection every request uses. */
  private static final String WAL_SETTINGS =
      "PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
          + "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536; "
          + "PRAGMA journal_size_limit=8388608;";

  /**
   * Folds the write-ahead log into the database and leaves WAL mode, which removes the log (the next start enters WAL
   * mode again): run on a clean exit, so that a stopped server's data is its database file, not that plus up to two
   * seconds of writes already copied. Leaving WAL mode under the exclusive lock leaves an empty rollback journal
   * behind; giving the lock up (normal locking, then a read) removes it too.
   */
  private static final String FOLD_AND_REMOVE_LOG =
      "PRAGMA wal_checkpoint(RESTART); PRAGMA journal_mode=DELETE; PRAGMA locking_mode=NORMAL; "
          + "SELECT count(*) FROM sqlite_master;";

  /** How often the write-ahead log is copied into the database (this SQLite build never does it by itself). */
  private static final long CHECKPOINT_MILLIS = 2000;

  /** Runs SQL on DynamoDB Local's own SQLite connection, in its queue, between two of its jobs. */
  static final class Statements extends SQLiteJob<Void> {
    private final String sql;

    Statements(String sql) {
      this.sql = sql;
    }

    @Override
    protected Void job(SQLiteConnection connection) throws Throwable {
      connection.exec(sql);
      return null;
    }
  }

  public static void main(String[] args) throws Exception {
    long idleSeconds = 0;
    String portFile = null;
    boolean durableWal = false;
    List<String> rest = new ArrayList<String>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("-idleSeconds") && i + 1 < args.length) {
        idleSeconds = Long.parseLong(args[++i]);
      } else if (args[i].equals("-portFile") && i + 1 < args.length) {
        portFile = args[++i];
      } else if (args[i].equals("-durableWal")) {
        durableWal = true;
      } else {
        rest.add(args[i]);
      }
    }
    // DynamoDB Local refuses "-port 0"; give it a placeholder and set 0 on the connector ourselves.
    boolean anyPort = false;
    String dbPath = null;
    for (int i = 0; i + 1 < rest.size(); i++) {
      if (rest.get(i).equals("-port") && rest.get(i + 1).equals("0")) {
        rest.set(i + 1, "8000");
        anyPort = true;
      }
      if (rest.get(i).equals("-dbPath")) {
        dbPath = rest.get(i + 1);
      }
    }
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(rest.toArray(new String[0]));
    Server server = (Server) field(proxy, DynamoDBProxyServer.class, "server");
    SQLiteQueue queue = null;
    if (durableWal && dbPath != null) {
      queue = sqliteQueue(proxy);
      queue.execute(new Statements(WAL_SETTINGS)).complete();
    }
    for (Connector connector : server.getConnectors()) {
      ((ServerConnector) connector).setHost("127.0.0.1");
      if (anyPort) {
        ((ServerConnector) connector).setPort(0);
      }
      // Connection listeners among a connector's beans are told of every connection it opens and closes.
      ((ServerConnector) connector).addBean(new LoopbackDynamoDBLocal());
    }
    proxy.start();
    int port = 0;
    for (Connector connector : server.getConnectors()) {
      port = ((ServerConnector) connector).getLocalPort();
      System.out.println("LISTENING " + port);
    }
    System.out.flush();
    if (portFile != null) writePortFile(portFile, port);
    if (queue != null) {
      startCheckpoints(queue);
      // On SIGTERM (`trail-audit local stop`), while the queue still runs.
      final SQLiteQueue finalQueue = queue;
      Runtime.getRuntime()
          .addShutdownHook(new Thread(() -> finalQueue.execute(new Statements(FOLD_AND_REMOVE_LOG)).complete()));
    }
    if (idleSeconds > 0) {
      waitUntilIdle(server, idleSeconds * 1000);
      // Before the proxy stops: stopping it stops the SQLite queue, and the shutdown hook's job would not run.
      if (queue != null) queue.execute(new Statements(FOLD_AND_REMOVE_LOG)).complete();
    } else {
      while (System.in.read() != -1) {
        // Keep serving until the parent closes our standard input.
      }
    }
    proxy.stop();
    System.exit(0);
  }

  /** Returns once no connection has had any traffic, and none has opened or closed, for `idleMillis`. */
  private static void waitUntilIdle(Server server, long idleMillis) throws InterruptedException {
    long lastActivity = System.currentTimeMillis();
    while (System.currentTimeMillis() - lastActivity < idleMillis) {
      Thread.sleep(Math.min(1000, idleMillis));
      long now = System.currentTimeMillis();
      lastActivity = Math.max(lastActivity, lastConnectionEvent);
      for (Connector connector : server.getConnectors()) {
        for (EndPoint endPoint : connector.getConnectedEndPoints()) {
          // An end point that cannot say how long it has been quiet counts as busy.
          long idleFor = endPoint instanceof IdleTimeout ? ((IdleTimeout) endPoint).getIdleFor() : 0;
          lastActivity = Math.max(lastActivity, now - idleFor);
        }
      }
    }
  }

  private static void startCheckpoints(final SQLiteQueue queue) {
    Thread thread =
        new Thread(
            () -> {
              try {
                while (true) {
                  Thread.sleep(CHECKPOINT_MILLIS);
                  queue.execute(new Statements("PRAGMA wal_checkpoint(RESTART);")).complete();
                }
              } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
              }
            },
            "trail-audit-checkpoint");
    thread.setDaemon(true);
    thread.start();
  }

  private static void writePortFile(String path, int port) throws Exception {
    File temporary = new File(path + ".tmp");
    FileOutputStream out = new FileOutputStream(temporary);
    try {
      out.write(String.valueOf(port).getBytes(StandardCharsets.UTF_8));
      out.getFD().sync();
    } finally {
      out.close();
    }
    if (!temporary.renameTo(new File(path))) throw new IllegalStateException("cannot write " + path);
  }

  /**
   * The SQLite queue of DynamoDB Local's shared database: created now (it is otherwise made on the first request),
   * through the request handler's private fields, which this pinned release of DynamoDB Local has.
   */
  private static SQLiteQueue sqliteQueue(DynamoDBProxyServer proxy) throws Exception {
    Object serverHandler = field(proxy, DynamoDBProxyServer.class, "serverHandler");
    Object requestHandler =
        field(
            serverHandler,
            Class.forName("com.amazonaws.services.dynamodbv2.local.server.AbstractLocalDynamoDBServerHandler"),
            "primaryHandler");
    Method getHandler = requestHandler.getClass().getDeclaredMethod("getHandler", String.class);
    getHandler.setAccessible(true);
    // With -sharedDb every access key maps to the same database, whatever name is asked for.
    Object client = getHandler.invoke(requestHandler, "shared");
    Object access = field(client, client.getClass(), "dbAccess");
    return (SQLiteQueue)
        field(
            access,
            Class.forName("com.amazonaws.services.dynamodbv2.local.shared.access.sqlite.SQLiteDBAccess"),
            "queue");
  }

  private static Object field(Object target, Class<?> type, String name) throws Exception {
    Field field = type.getDeclaredField(name);
    field.setAccessible(true);
    return field.get(target);
  }
}
