// The sum of the integers on stdin.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.StringTokenizer;

public class Main {
        public static void main(String[] args) throws Exception {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
                long s = 0;
                for (String line; (line = in.readLine()) != null;)
                        for (StringTokenizer t = new StringTokenizer(line); t.hasMoreTokens();)
                                s += Long.parseLong(t.nextToken());
                System.out.println(s);
        }
}
