import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Starts Amazon DynamoDB Local bound to 127.0.0.1 only.
 *
 * DynamoDB Local's own launcher listens on every interface and has no option to choose one, so this wrapper
 * builds the server from the usual command-line arguments, sets the loopback host on its Jetty connector before
 * starting it, and prints "LISTENING <port>" (port 0 picks a free one). It exits when its standard input closes,
 * so a server whose parent process died does not linger.
 */
public class LoopbackDynamoDBLocal {
  public static void main(String[] args) throws Exception {
    // DynamoDB Local refuses "-port 0"; give it a placeholder and set 0 on the connector ourselves.
    boolean anyPort = false;
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("-port") && args[i + 1].equals("0")) {
        args[i + 1] = "8000";
        anyPort = true;
      }
    }
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    java.lang.reflect.Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) {
      ((ServerConnector) connector).setHost("127.0.0.1");
      if (anyPort) {
        ((ServerConnector) connector).setPort(0);
      }
    }
    proxy.start();
    for (Connector connector : server.getConnectors()) {
      System.out.println("LISTENING " + ((ServerConnector) connector).getLocalPort());
    }
    System.out.flush();
    while (System.in.read() != -1) {
      // Keep serving until the parent closes our standard input.
    }
    proxy.stop();
    System.exit(0);
  }
}
